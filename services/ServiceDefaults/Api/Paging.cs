using Ent.Partnership.ServiceDefaults.Errors;

namespace Ent.Partnership.ServiceDefaults.Api;

/// <summary>Page sizes as every List method reads them: 50 when empty, 500 at most.</summary>
public static class Paging
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public static int PageSize(int requested) => requested switch
    {
        < 0 => throw new InvalidArgumentException("pageSize", "La taille de page ne peut pas être négative."),
        0 => DefaultPageSize,
        > MaxPageSize => MaxPageSize,
        _ => requested,
    };
}
