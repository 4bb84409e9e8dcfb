using System.Net;
using System.Text;

namespace Ent.Partnership.EntSandbox;

/// <summary>The sandbox's page: what each school received, and how the sandbox is set to misbehave.</summary>
public static class NewsPage
{
    public static string Render(NewsBoard board, SandboxSettings settings)
    {
        var counts = board.Counts;
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>ENT sandbox</title>")
            .Append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}</style>")
            .Append("</head><body><h1>ENT sandbox</h1>")
            .Append(FormattableString.Invariant(
                $"<p>Échecs injectés : {settings.FailureRate * 100:0} % · latence : {settings.LatencyMs} ms · reçus : {counts.Pushes} · enregistrés : {counts.Stored} · doublons refusés : {counts.Duplicates} · retirés : {counts.Retracted}</p>"));
        var schools = board.All();
        if (schools.Count == 0)
        {
            html.Append("<p>Aucun établissement n'a rien reçu.</p>");
        }

        foreach (var (uai, news) in schools)
        {
            html.Append("<h2>").Append(WebUtility.HtmlEncode(uai)).Append("</h2><table><tr><th>Titre</th><th>Émetteur</th><th>Profils</th><th>Reçu</th><th>Id</th></tr>");
            foreach (var item in news)
            {
                html.Append("<tr><td>").Append(Text(item, "title"))
                    .Append("</td><td>").Append(Text(item, "issuer"))
                    .Append("</td><td>").Append(WebUtility.HtmlEncode(item.Item.TryGetProperty("profiles", out var profiles) ? string.Join(", ", profiles.EnumerateArray().Select(p => p.ToString())) : ""))
                    .Append("</td><td>").Append(item.ReceivedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture))
                    .Append("</td><td>").Append(WebUtility.HtmlEncode(item.Id)).Append("</td></tr>");
            }

            html.Append("</table>");
        }

        return html.Append("</body></html>").ToString();
    }

    private static string Text(ReceivedNews news, string property) =>
        WebUtility.HtmlEncode(news.Item.TryGetProperty(property, out var value) ? value.ToString() : "");
}
