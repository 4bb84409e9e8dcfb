using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ent.Partnership.Communications.Domain;

namespace Ent.Partnership.Communications.Publication;

/// <summary>Where the ENT is and how the suite proves it speaks.</summary>
public sealed record EntOptions
{
    /// <summary>The ENT's base address; the AppHost's sandbox by default.</summary>
    public Uri BaseUrl { get; init; } = new("http://ent-sandbox");

    /// <summary>The secret shared with the ENT, under which pushes are signed.</summary>
    public string Secret { get; init; } = "";

    /// <summary>How long one push may take before it counts as timed out.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>An item of a school's news, as the ENT's push contract describes it.</summary>
public sealed record EntNews(
    string Id, string Title, string Body, IReadOnlyList<string> Profiles, DateTimeOffset PublishFrom, DateTimeOffset? PublishUntil,
    string Issuer, IReadOnlyList<EntAttachment> Attachments);

public sealed record EntAttachment(string Uri, string Title, string MediaType, string AltText, long SizeBytes);

/// <summary>
/// The ENT connector: <c>POST {ent}/schools/{uai}/news</c> and <c>DELETE {ent}/schools/{uai}/news/{id}</c>,
/// signed with a timestamped HMAC-SHA256 under the shared secret. It makes one call and says what came
/// of it; retrying is the publisher's business, so that every attempt is recorded.
/// </summary>
public sealed class EntConnector(HttpClient http, EntOptions options, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public Task<EntOutcome> PushAsync(string uai, EntNews news, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"schools/{Uri.EscapeDataString(uai)}/news", JsonSerializer.Serialize(news, Json), retracting: false, cancellationToken);

    public Task<EntOutcome> RetractAsync(string uai, string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, $"schools/{Uri.EscapeDataString(uai)}/news/{Uri.EscapeDataString(id)}", "", retracting: true, cancellationToken);

    /// <summary><c>sha256=</c> and the hex HMAC-SHA256 of <c>timestamp + "." + body</c>.</summary>
    public static string Sign(string secret, string timestamp, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));

    private async Task<EntOutcome> SendAsync(HttpMethod method, string path, string body, bool retracting, CancellationToken cancellationToken)
    {
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(method, new Uri(options.BaseUrl, path));
        if (body.Length > 0)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        request.Headers.Add("X-Ent-Timestamp", timestamp);
        request.Headers.Add("X-Ent-Signature", Sign(options.Secret, timestamp, body));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            using var response = await http.SendAsync(request, timeout.Token);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.Conflict || retracting && response.StatusCode == HttpStatusCode.NotFound)
            {
                return new EntOutcome(EntOutcomeKind.Done);
            }

            var reason = $"{status} {await ReasonAsync(response, timeout.Token)}".Trim();
            return status is 429 or 408 or >= 500
                ? new EntOutcome(EntOutcomeKind.Retry, reason, RetryAfter(response.Headers.RetryAfter))
                : new EntOutcome(EntOutcomeKind.Failed, reason);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new EntOutcome(EntOutcomeKind.Retry, $"délai de {options.Timeout.TotalSeconds:0.#} s dépassé");
        }
        catch (HttpRequestException exception)
        {
            return new EntOutcome(EntOutcomeKind.Retry, exception.Message);
        }
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static async Task<string> ReasonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return text.Length > 200 ? text[..200] : text;
    }
}
