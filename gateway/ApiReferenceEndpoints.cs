namespace Ent.Partnership.Gateway;

/// <summary><c>/openapi/v1.json</c> and the browsable reference at <c>/docs</c>, served from the gateway itself: no key, no CDN.</summary>
public static class ApiReferenceEndpoints
{
    private static readonly Dictionary<string, string> DocsFiles = new(StringComparer.Ordinal)
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["docs.js"] = "text/javascript; charset=utf-8",
        ["docs.css"] = "text/css; charset=utf-8",
    };

    public static WebApplication MapApiReference(this WebApplication app)
    {
        var document = ApiReference.Document.ToJsonString();
        app.MapGet("/openapi/v1.json", () => Results.Text(document, "application/json; charset=utf-8"));
        app.MapGet("/docs", () => DocsFile("index.html"));
        app.MapGet("/docs/{file}", (string file) => DocsFiles.ContainsKey(file) ? DocsFile(file) : Results.NotFound());
        return app;
    }

    private static IResult DocsFile(string file)
    {
        var stream = typeof(ApiReferenceEndpoints).Assembly.GetManifestResourceStream("docs/" + file)
            ?? throw new InvalidOperationException($"docs/{file} is not embedded.");
        return Results.Stream(stream, DocsFiles[file]);
    }
}
