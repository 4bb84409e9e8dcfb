using System.Text.RegularExpressions;
using Ent.Partnership.ServiceDefaults.Errors;

namespace Ent.Partnership.ServiceDefaults.Api;

/// <summary>Resource names such as <c>parties/dep-67</c> and the ids in them.</summary>
public static partial class ResourceName
{
    /// <summary>The pattern of an id a client may choose.</summary>
    [GeneratedRegex("^[a-z][a-z0-9-]{2,62}$")]
    public static partial Regex IdPattern();

    /// <summary>The id in <c>{collection}/{id}</c>, or null when <paramref name="name"/> is not such a name.</summary>
    public static string? IdOf(string? name, string collection) =>
        name is not null && name.Length > collection.Length + 1 && name.StartsWith(collection, StringComparison.Ordinal)
            && name[collection.Length] == '/' && IdPattern().IsMatch(name.AsSpan(collection.Length + 1))
            ? name[(collection.Length + 1)..]
            : null;

    /// <summary>The id in <paramref name="name"/>; INVALID_ARGUMENT on <paramref name="field"/> when it is not a <paramref name="collection"/> name.</summary>
    public static string ParseId(string? name, string collection, string field) =>
        IdOf(name, collection) ?? throw new InvalidArgumentException(field, $"« {name} » n'est pas un nom de la forme {collection}/{{id}}.");

    /// <summary>The id <paramref name="requested"/> when valid, a new one when empty; INVALID_ARGUMENT on <paramref name="field"/> otherwise.</summary>
    public static string NewId(string requested, string field, string prefix) =>
        requested.Length == 0 ? prefix + "-" + Guid.NewGuid().ToString("N")[..12]
        : IdPattern().IsMatch(requested) ? requested
        : throw new InvalidArgumentException(field, $"« {requested} » ne convient pas comme identifiant (^[a-z][a-z0-9-]{{2,62}}$).");
}
