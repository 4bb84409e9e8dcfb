using Ent.Partnership.ServiceDefaults.Http;

namespace Ent.Partnership.Gateway;

/// <summary>
/// Everything under <c>/v1</c> needs an API key (<c>Authorization: Bearer</c> or <c>X-Api-Key</c>). Whatever
/// identity the client sent is dropped; the request goes on with the internal token alone.
/// </summary>
public sealed class IdentityMiddleware(RequestDelegate next, ApiKeyAuthenticator authenticator)
{
    private const string ApiKeyHeader = "X-Api-Key";

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/v1"))
        {
            await next(context);
            return;
        }

        var headers = context.Request.Headers;
        var key = ReadKey(headers);
        foreach (var name in headers.Keys.Where(IsIdentityHeader).ToList())
        {
            headers.Remove(name);
        }

        var authenticated = key is null ? null : authenticator.Authenticate(key);
        if (authenticated is not { } known)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await ErrorResponses.WriteAsync(context, ErrorResponses.ForHttpStatus(StatusCodes.Status401Unauthorized, context.Request.Path));
            return;
        }

        headers.Authorization = "Bearer " + known.Token;
        context.Items[KeyedCaller.ItemKey] = known.Caller;
        await next(context);
    }

    private static string? ReadKey(IHeaderDictionary headers)
    {
        var authorization = headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        var key = headers[ApiKeyHeader].ToString();
        return key.Length > 0 ? key : null;
    }

    /// <summary>Headers through which a client might try to pass an identity of its own.</summary>
    private static bool IsIdentityHeader(string name) =>
        name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals(ApiKeyHeader, StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("X-Ent-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("X-Caller-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("X-Forwarded-User", StringComparison.OrdinalIgnoreCase);
}
