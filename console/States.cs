namespace Ent.Partnership.Console;

/// <summary>The French words for the states partners read in English in the API.</summary>
public static class States
{
    public static string Label(string state) => state switch
    {
        "DRAFT" => "Brouillon",
        "PENDING_VALIDATION" => "En relecture",
        "CHANGES_REQUESTED" => "Modifications demandées",
        "APPROVED" => "Approuvé",
        "PUBLISHED" => "Publié",
        "WITHDRAWN" => "Retiré",
        "REJECTED" => "Refusé",
        "EXPIRED" => "Expiré",
        _ => state,
    };
}
