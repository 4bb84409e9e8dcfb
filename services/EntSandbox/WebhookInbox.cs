using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Ent.Partnership.EntSandbox;

/// <summary>One post a webhook receiver took, or answered with a failure.</summary>
public sealed record ReceivedPost(string WebhookId, string Timestamp, string Signature, string Body, int Status, DateTimeOffset ReceivedAt);

/// <summary>
/// A webhook receiver for Development (SPEC section 12): <c>POST /webhooks/{inbox}</c> keeps every post with its
/// Standard Webhooks headers, so a developer sees the flow. <c>?failEvery=N</c> in the webhook's URL makes
/// every Nth post of the inbox answer 503 (the tests' unreliable receiver).
/// </summary>
public sealed class WebhookInbox
{
    private readonly ConcurrentDictionary<string, List<ReceivedPost>> _inboxes = new(StringComparer.Ordinal);

    public int Take(string inbox, ReceivedPost post, int failEvery)
    {
        var posts = _inboxes.GetOrAdd(inbox, _ => []);
        lock (posts)
        {
            var status = failEvery > 0 && (posts.Count + 1) % failEvery == 0 ? (int)HttpStatusCode.ServiceUnavailable : (int)HttpStatusCode.NoContent;
            posts.Add(post with { Status = status });
            return status;
        }
    }

    public IReadOnlyList<ReceivedPost> Of(string inbox)
    {
        if (!_inboxes.TryGetValue(inbox, out var posts))
        {
            return [];
        }

        lock (posts)
        {
            return [.. posts];
        }
    }

    public IReadOnlyCollection<string> Names => [.. _inboxes.Keys.Order(StringComparer.Ordinal)];

    public static WebApplication Map(WebApplication app)
    {
        app.MapPost("/webhooks/{inbox}", async (string inbox, int? failEvery, HttpRequest request, WebhookInbox inboxes, TimeProvider time) =>
        {
            var body = await new StreamReader(request.Body, Encoding.UTF8).ReadToEndAsync();
            var status = inboxes.Take(inbox, new ReceivedPost(
                request.Headers["webhook-id"].ToString(), request.Headers["webhook-timestamp"].ToString(), request.Headers["webhook-signature"].ToString(),
                body, 0, time.GetUtcNow()), failEvery ?? 0);
            return Results.StatusCode(status);
        });
        app.MapGet("/webhooks/{inbox}", (string inbox, WebhookInbox inboxes) => Results.Json(new
        {
            inbox,
            posts = inboxes.Of(inbox).Select(p => new { webhookId = p.WebhookId, timestamp = p.Timestamp, signature = p.Signature, body = p.Body, status = p.Status, receivedAt = p.ReceivedAt }),
        }));
        app.MapGet("/webhooks", (WebhookInbox inboxes) => Results.Content(Page(inboxes), "text/html; charset=utf-8"));
        return app;
    }

    private static string Page(WebhookInbox inboxes)
    {
        var html = new StringBuilder("<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Webhooks reçus</title>")
            .Append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}pre{white-space:pre-wrap;margin:0}</style>")
            .Append("</head><body><h1>Webhooks reçus</h1><p>Enregistrez un webhook vers <code>http://localhost:&lt;port&gt;/webhooks/&lt;nom&gt;</code>.</p>");
        if (inboxes.Names.Count == 0)
        {
            html.Append("<p>Rien n'a encore été reçu.</p>");
        }

        foreach (var name in inboxes.Names)
        {
            html.Append("<h2>").Append(WebUtility.HtmlEncode(name)).Append("</h2><table><tr><th>Reçu</th><th>webhook-id</th><th>Réponse</th><th>Événement</th></tr>");
            foreach (var post in inboxes.Of(name).Reverse())
            {
                html.Append("<tr><td>").Append(post.ReceivedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture))
                    .Append("</td><td>").Append(WebUtility.HtmlEncode(post.WebhookId))
                    .Append("</td><td>").Append(post.Status)
                    .Append("</td><td><pre>").Append(WebUtility.HtmlEncode(post.Body)).Append("</pre></td></tr>");
            }

            html.Append("</table>");
        }

        return html.Append("</body></html>").ToString();
    }
}
