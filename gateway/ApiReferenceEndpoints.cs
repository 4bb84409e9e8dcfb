using Scalar.AspNetCore;

namespace Ent.Partnership.Gateway;

/// <summary>
/// <c>/openapi/v1.json</c> and the browsable reference at <c>/docs</c> (Scalar, its scripts served from the
/// package by the gateway itself): no key, no CDN, no web font, no telemetry; search and code samples.
/// </summary>
public static class ApiReferenceEndpoints
{
    public static WebApplication MapApiReference(this WebApplication app)
    {
        var document = ApiReference.Document.ToJsonString();
        app.MapGet("/openapi/v1.json", () => Results.Text(document, "application/json; charset=utf-8"));
        app.MapScalarApiReference("/docs", options => options
            .WithTitle("Ent.Partnership — référence de l'API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .WithDefaultHttpClient(ScalarTarget.Shell, ScalarClient.Curl)
            .AddPreferredSecuritySchemes("apiKey")
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp()
            .HideDeveloperTools());
        return app;
    }
}
