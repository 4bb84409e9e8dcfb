using System.Globalization;

namespace Ent.Partnership.Console;

/// <summary>The French words for what partners read in English in the API: states, decisions, severities, times.</summary>
public static class Labels
{
    private static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr-FR");
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.TryFindSystemTimeZoneById("Europe/Paris", out var paris) ? paris : TimeZoneInfo.Utc;

    public static string State(string state) => state switch
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

    public static string Delivery(string state) => state switch
    {
        "PENDING" => "En attente",
        "DELIVERED" => "Livré",
        "FAILED" => "Échec",
        "RETRACTED" => "Retiré",
        _ => state,
    };

    public static string Decision(string decision) => decision switch
    {
        "APPROVED" => "Approuvé",
        "CHANGES_REQUESTED" => "Modifications demandées",
        "REJECTED" => "Refusé",
        _ => decision,
    };

    public static string Severity(string severity) => severity switch
    {
        "BLOCK" => "Bloquant",
        "WARN" => "Avertissement",
        _ => "Information",
    };

    /// <summary>An RFC 3339 instant of the API as a French reader expects it, in Paris time.</summary>
    public static string Time(string instant) =>
        DateTimeOffset.TryParse(instant, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? TimeZoneInfo.ConvertTime(time, Paris).ToString("d MMMM yyyy à HH:mm:ss", French)
            : instant;
}
