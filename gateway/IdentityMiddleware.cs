using Ent.Partnership.Common.V1;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Http;
using Code = Google.Rpc.Code;

namespace Ent.Partnership.Gateway;

/// <summary>
/// Everything under <c>/v1</c> needs an API key (<c>Authorization: Bearer</c> or <c>X-Api-Key</c>, or both
/// with the same key). Credentials the gateway would have to choose between are refused, never picked from.
/// Whatever identity the client sent is dropped; the request goes on with the internal token alone.
/// </summary>
public sealed class IdentityMiddleware(RequestDelegate next, ApiKeyAuthenticator authenticator)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/v1"))
        {
            await next(context);
            return;
        }

        var headers = context.Request.Headers;
        var (key, conflicting) = Credentials.Read(headers);
        foreach (var name in headers.Keys.Where(IsIdentityHeader).ToList())
        {
            headers.Remove(name);
        }

        if (conflicting)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await ErrorResponses.WriteAsync(context, ErrorStatus.Create(Code.Unauthenticated,
                "Une seule clé d'API par requête : Authorization (Bearer) ou X-Api-Key, pas deux clés différentes, ni un en-tête répété ou vide.",
                ErrorReason.ConflictingCredentials));
            return;
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

    /// <summary>Headers through which a client might try to pass an identity of its own.</summary>
    private static bool IsIdentityHeader(string name) =>
        name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals(Credentials.ApiKeyHeader, StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("X-Ent-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("X-Caller-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("X-Forwarded-User", StringComparison.OrdinalIgnoreCase);
}
