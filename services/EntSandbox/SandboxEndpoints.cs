using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Ent.Partnership.EntSandbox;

/// <summary>
/// The ENT's side of the push contract: <c>POST /schools/{uai}/news</c> and <c>DELETE
/// /schools/{uai}/news/{id}</c>, each signed (<c>X-Ent-Timestamp</c>, <c>X-Ent-Signature</c>), plus what a
/// developer needs: the news per school as JSON and as a page, and the fault settings.
/// </summary>
public static class SandboxEndpoints
{
    public static WebApplication MapSandbox(this WebApplication app)
    {
        app.MapPost("/schools/{uai}/news", PushAsync);
        app.MapDelete("/schools/{uai}/news/{id}", RetractAsync);
        app.MapGet("/schools/{uai}/news", (string uai, NewsBoard board) => Results.Json(new { uai, news = board.Of(uai).Select(View) }));
        app.MapGet("/news", (NewsBoard board) => Results.Json(new
        {
            counts = board.Counts,
            schools = board.All().Select(s => new { uai = s.Key, news = s.Value.Select(View) }),
        }));
        app.MapDelete("/news", (NewsBoard board) =>
        {
            board.Clear();
            return Results.NoContent();
        });
        app.MapGet("/settings", (SandboxSettings settings) => Results.Json(new { settings.FailureRate, settings.LatencyMs, settings.MaxSkewSeconds }));
        app.MapPut("/settings", (SettingsChange change, SandboxSettings settings) =>
        {
            if (change.FailureRate is < 0 or > 1 || change.LatencyMs is < 0 or > 60_000)
            {
                return Results.BadRequest(new { error = "failureRate is between 0 and 1, latencyMs between 0 and 60000" });
            }

            settings.FailureRate = change.FailureRate ?? settings.FailureRate;
            settings.LatencyMs = change.LatencyMs ?? settings.LatencyMs;
            return Results.Json(new { settings.FailureRate, settings.LatencyMs, settings.MaxSkewSeconds });
        });
        app.MapGet("/", (NewsBoard board, SandboxSettings settings) => Results.Content(NewsPage.Render(board, settings), "text/html; charset=utf-8"));
        return app;
    }

    private static async Task<IResult> PushAsync(string uai, HttpRequest request, NewsBoard board, SandboxSettings settings, TimeProvider time)
    {
        board.CountPush();
        var body = await new StreamReader(request.Body, Encoding.UTF8).ReadToEndAsync();
        if (Refusal(request, body, settings, time) is { } refused)
        {
            board.CountRefused();
            return refused;
        }

        JsonElement item;
        try
        {
            item = JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException)
        {
            return Results.BadRequest(new { error = "the body is not JSON" });
        }

        if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("id", out var id) || id.GetString() is not { Length: > 0 and <= 200 } itemId
            || !item.TryGetProperty("title", out var title) || title.ValueKind != JsonValueKind.String)
        {
            return Results.BadRequest(new { error = "an item has an id (1 to 200 characters) and a title" });
        }

        await Task.Delay(settings.LatencyMs);
        var roll = Random.Shared.NextDouble();
        if (roll < settings.FailureRate / 2)
        {
            board.CountInjectedFailure();
            return Results.StatusCode((int)HttpStatusCode.ServiceUnavailable);
        }

        var stored = board.TryAdd(new ReceivedNews(itemId, uai, item, time.GetUtcNow()));
        if (roll < settings.FailureRate)
        {
            // Stored, but the answer is lost: the sender retries and must get 409, not a second copy.
            board.CountInjectedFailure();
            return Results.StatusCode((int)HttpStatusCode.ServiceUnavailable);
        }

        return stored ? Results.Created($"/schools/{uai}/news/{itemId}", new { id = itemId }) : Results.Conflict(new { error = "already received", id = itemId });
    }

    private static IResult RetractAsync(string uai, string id, HttpRequest request, NewsBoard board, SandboxSettings settings, TimeProvider time)
    {
        if (Refusal(request, "", settings, time) is { } refused)
        {
            board.CountRefused();
            return refused;
        }

        return board.Remove(uai, id) ? Results.NoContent() : Results.NotFound(new { error = "no such item", id });
    }

    /// <summary>401 unless the timestamp is within the skew and the signature is the HMAC of timestamp + "." + body.</summary>
    private static IResult? Refusal(HttpRequest request, string body, SandboxSettings settings, TimeProvider time)
    {
        var timestamp = request.Headers["X-Ent-Timestamp"].ToString();
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(time.GetUtcNow().ToUnixTimeSeconds() - seconds) > settings.MaxSkewSeconds)
        {
            return Results.Json(new { error = "X-Ent-Timestamp is missing or too far from now" }, statusCode: StatusCodes.Status401Unauthorized);
        }

        var expected = Encoding.ASCII.GetBytes("sha256=" + Convert.ToHexStringLower(
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(settings.Secret), Encoding.UTF8.GetBytes(timestamp + "." + body))));
        var given = Encoding.ASCII.GetBytes(request.Headers["X-Ent-Signature"].ToString());
        return settings.Secret.Length > 0 && CryptographicOperations.FixedTimeEquals(expected, given)
            ? null
            : Results.Json(new { error = "X-Ent-Signature does not match" }, statusCode: StatusCodes.Status401Unauthorized);
    }

    private static object View(ReceivedNews news) => new { id = news.Id, receivedAt = news.ReceivedAt, item = news.Item };

    private sealed record SettingsChange(double? FailureRate, int? LatencyMs);
}
