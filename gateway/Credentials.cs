namespace Ent.Partnership.Gateway;

/// <summary>The API key a request carries, read so that the gateway never has to choose between two.</summary>
public static class Credentials
{
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>The one key the request carries (null when none), or whether its credentials conflict.</summary>
    public static (string? Key, bool Conflicting) Read(IHeaderDictionary headers)
    {
        var authorization = headers.Authorization;
        var apiKey = headers[ApiKeyHeader];
        if (authorization.Count > 1 || apiKey.Count > 1)
        {
            return (null, true);
        }

        string? bearer = null;
        if (authorization.Count == 1)
        {
            var value = authorization[0] ?? "";
            if (!value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || (bearer = value["Bearer ".Length..].Trim()).Length == 0)
            {
                return (null, true);
            }
        }

        var key = apiKey.Count == 1 ? (apiKey[0] ?? "").Trim() : null;
        return key is { Length: 0 } || (bearer is not null && key is not null && key != bearer)
            ? (null, true)
            : (bearer ?? key, false);
    }
}
