using Ent.Partnership.Common.V1;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Http;
using Code = Google.Rpc.Code;

namespace Ent.Partnership.Gateway;

/// <summary>
/// Everything under <c>/v1</c> needs an API key (<c>Authorization: Bearer</c> or <c>X-Api-Key</c>, or both
/// with the same key) or a person's access token (a bearer of three dot-separated segments). Credentials the
/// gateway would have to choose between are refused, never picked from. Whatever identity the client sent is
/// dropped; the request goes on with the internal token alone.
/// </summary>
public sealed class IdentityMiddleware(RequestDelegate next, ApiKeyAuthenticator authenticator, PersonAuthenticator people)
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

        if (key is not null && PersonAuthenticator.LooksLikeToken(key))
        {
            await AsPersonAsync(context, key);
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

    private async Task AsPersonAsync(HttpContext context, string jwt)
    {
        var (outcome, token, caller) = await people.AuthenticateAsync(jwt, context.RequestAborted);
        switch (outcome)
        {
            case PersonOutcome.Accepted:
                context.Request.Headers.Authorization = "Bearer " + token;
                context.Items[KeyedCaller.ItemKey] = caller;
                await next(context);
                break;
            case PersonOutcome.NotEnrolled:
                await ErrorResponses.WriteAsync(context, ErrorStatus.Create(Code.PermissionDenied,
                    "Cette personne n'est inscrite auprès d'aucune partie : demandez à l'administration du partenariat de l'inscrire.",
                    ErrorReason.PersonNotEnrolled));
                break;
            case PersonOutcome.IdentityUnavailable:
                await ErrorResponses.WriteAsync(context, ErrorStatus.Create(Code.Unavailable,
                    "Le service d'identité ne répond pas : la connexion des personnes est momentanément impossible.", ErrorReason.ServiceUnavailable));
                break;
            default:
                context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                await ErrorResponses.WriteAsync(context, ErrorResponses.ForHttpStatus(StatusCodes.Status401Unauthorized, context.Request.Path));
                break;
        }
    }

    /// <summary>Headers through which a client might try to pass an identity of its own.</summary>
    private static bool IsIdentityHeader(string name) =>
        name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals(Credentials.ApiKeyHeader, StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("X-Ent-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("X-Caller-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("X-Forwarded-User", StringComparison.OrdinalIgnoreCase);
}
