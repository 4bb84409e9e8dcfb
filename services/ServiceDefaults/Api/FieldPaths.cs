namespace Ent.Partnership.ServiceDefaults.Api;

/// <summary>Field paths as clients write them in an <c>updateMask</c>.</summary>
public static class FieldPaths
{
    /// <summary>REST clients write JSON names (<c>displayName</c>); the proto's paths are <c>display_name</c>.</summary>
    public static string ToSnakeCase(string path) =>
        string.Concat(path.Select(c => char.IsAsciiLetterUpper(c) ? "_" + char.ToLowerInvariant(c) : c.ToString()));
}
