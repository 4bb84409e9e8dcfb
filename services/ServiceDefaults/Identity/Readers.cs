namespace Ent.Partnership.ServiceDefaults.Identity;

/// <summary>
/// Who may read a resource as it is: everyone, or the parties and roles listed (<c>party:parties/cea</c>,
/// <c>role:admin</c>). A service's read check is <see cref="Admit"/> of the readers it computes, and its events
/// carry the same readers (SPEC section 10), so history and webhooks filter with the service's own rule.
/// </summary>
public sealed class Readers
{
    public const string AllValue = "all";

    private readonly HashSet<string> _entries;

    private Readers(bool all, IEnumerable<string> entries)
    {
        All = all;
        _entries = new HashSet<string>(entries, StringComparer.Ordinal);
    }

    /// <summary>Every caller who may call the service.</summary>
    public static Readers Everyone { get; } = new(true, []);

    public bool All { get; }

    public IReadOnlyCollection<string> Entries => _entries;

    /// <summary>The parties and roles listed; admins are always among them.</summary>
    public static Readers Only(IEnumerable<string> parties, IEnumerable<string> roles) =>
        new(false, parties.Select(p => "party:" + p).Concat(roles.Append(RoleNames.Admin).Select(r => "role:" + r)));

    /// <summary>Whether the caller may read.</summary>
    public bool Admit(Caller caller) =>
        All
        || caller.Party is not null && _entries.Contains("party:" + caller.Party)
        || caller.Roles.Any(role => _entries.Contains("role:" + role));

    /// <summary>The form events carry: <c>all</c>, or the entries separated by spaces, in order.</summary>
    public override string ToString() => All ? AllValue : string.Join(' ', _entries.Order(StringComparer.Ordinal));

    /// <summary>Readers as an event carries them; none (an event written before readers existed) admits only admins.</summary>
    public static Readers Parse(string? text) => text switch
    {
        AllValue => Everyone,
        null or "" => Only([], []),
        _ => new(false, text.Split(' ', StringSplitOptions.RemoveEmptyEntries)),
    };
}
