using Ent.Partnership.Common.V1;
using Ent.Partnership.ServiceDefaults.Errors;
using Code = Google.Rpc.Code;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ent.Partnership.ServiceDefaults.Http;

/// <summary>
/// Gives every error that ASP.NET Core itself answers (routing's 404 and 405, authentication's 401, a body too
/// large, an unexpected exception) the same <c>google.rpc.Status</c> JSON body as the services' own errors.
/// </summary>
public static class ErrorResponses
{
    public static Task WriteAsync(HttpContext context, Google.Rpc.Status status, int? httpStatus = null)
    {
        context.Response.StatusCode = httpStatus ?? ErrorStatus.HttpStatusOf((Code)status.Code);
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(ErrorStatus.ToJson(status));
    }

    /// <summary>The status that goes with an HTTP error answered without a body.</summary>
    public static Google.Rpc.Status ForHttpStatus(int httpStatus, string path) => httpStatus switch
    {
        StatusCodes.Status401Unauthorized => ErrorStatus.Create(
            Code.Unauthenticated, "Une clé d'API valide est requise (en-tête Authorization: Bearer ou X-Api-Key).", ErrorReason.UnauthenticatedCaller),
        StatusCodes.Status403Forbidden => ErrorStatus.Create(
            Code.PermissionDenied, "Le rôle de cette clé ne permet pas cet appel.", ErrorReason.CallerNotAllowed),
        StatusCodes.Status404NotFound => ErrorStatus.Create(
            Code.NotFound, $"Aucune ressource ne répond au chemin {path}.", ErrorReason.RouteNotFound),
        StatusCodes.Status405MethodNotAllowed => ErrorStatus.Create(
            Code.Unimplemented, $"Cette méthode HTTP n'est pas permise sur {path} ; voir l'en-tête Allow.", ErrorReason.MethodNotAllowed),
        StatusCodes.Status413PayloadTooLarge => ErrorStatus.Create(
            Code.ResourceExhausted, "Le corps de la requête dépasse la taille permise.", ErrorReason.BodyTooLarge),
        StatusCodes.Status429TooManyRequests => ErrorStatus.Create(
            Code.ResourceExhausted, "Trop de requêtes pour cette clé ; réessayez après le délai de l'en-tête Retry-After.", ErrorReason.RateLimited),
        StatusCodes.Status414UriTooLong => ErrorStatus.Create(
            Code.InvalidArgument, "L'adresse de la requête (chemin et paramètres) est trop longue.", ErrorReason.MalformedBody),
        StatusCodes.Status415UnsupportedMediaType => ErrorStatus.Create(
            Code.InvalidArgument, "Le corps de la requête doit être du JSON (Content-Type: application/json).", ErrorReason.MalformedBody),
        StatusCodes.Status503ServiceUnavailable or StatusCodes.Status502BadGateway => ErrorStatus.Create(
            Code.Unavailable, "Le service ne répond pas ; réessayez plus tard.", ErrorReason.ServiceUnavailable),
        StatusCodes.Status504GatewayTimeout => ErrorStatus.Create(
            Code.DeadlineExceeded, "Le service n'a pas répondu à temps.", ErrorReason.ServiceUnavailable),
        < 500 => ErrorStatus.Create(Code.InvalidArgument, "Requête invalide.", ErrorReason.MalformedBody),
        _ => ErrorStatus.Create(Code.Internal, "Erreur interne.", ErrorReason.Unspecified),
    };

    /// <summary>
    /// Status bodies for errors answered without one, the <c>Allow</c> header on 405, and a status body for
    /// exceptions. gRPC calls are left alone: their errors travel in trailers.
    /// </summary>
    public static IApplicationBuilder UseStatusErrorBodies(this IApplicationBuilder app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
            ExceptionHandler = context =>
            {
                var status = context.Features.Get<IExceptionHandlerFeature>()?.Error is BadHttpRequestException bad
                    ? bad.StatusCode
                    : StatusCodes.Status500InternalServerError;
                return WriteAsync(context, ForHttpStatus(status, context.Request.Path), status);
            },
        });
        app.UseStatusCodePages(async statusContext =>
        {
            var context = statusContext.HttpContext;
            if (IsGrpc(context.Request))
            {
                return;
            }

            if (context.Response.StatusCode is StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed)
            {
                // A path that other methods answer is a wrong method, even where routing says 404
                // (a custom verb such as POST …:competence shares its route with POST …:succeed).
                var allowed = AllowedMethods(context.RequestServices, context.Request.Path.Value ?? "");
                if (allowed.Count > 0 && !allowed.Contains(context.Request.Method))
                {
                    context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                    context.Response.Headers.Allow = string.Join(", ", allowed);
                }
            }

            await WriteAsync(context, ForHttpStatus(context.Response.StatusCode, context.Request.Path), context.Response.StatusCode);
        });
        return app;
    }

    public static bool IsGrpc(HttpRequest request) =>
        request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>
    /// The methods a path answers, from the <c>google.api.http</c> rules of the transcoded endpoints: routing
    /// alone also counts the methods of custom verbs on the same path.
    /// </summary>
    private static List<string> AllowedMethods(IServiceProvider services, string path) =>
        services.GetServices<EndpointDataSource>()
            .SelectMany(source => source.Endpoints)
            .Select(endpoint => endpoint.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>())
            .OfType<GrpcJsonTranscodingMetadata>()
            .Select(metadata => HttpRuleTemplate.Of(metadata.HttpRule))
            .Where(rule => rule.Method.Length > 0 && HttpRuleTemplate.ToRegex(rule.Template).IsMatch(path))
            .Select(rule => rule.Method)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
}
