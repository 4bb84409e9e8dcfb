using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ent.Partnership.Dapr;

/// <summary>
/// A topic this service subscribes to through its Dapr sidecar: the producer's outbox topic (its stream's
/// name with dashes, <c>conventions-events</c>), delivered to <c>POST /dapr/events/{topic}</c>.
/// </summary>
public sealed record DaprSubscription(string PubSubName, string Stream, string Group, Type Handler)
{
    public string Topic => Stream.Replace(':', '-');

    public string Route => "/dapr/events/" + Topic;
}

/// <summary>
/// Takes what the sidecar delivers: the outbox publishes every item a transaction writes, so a delivery is
/// handled when it is one of the events (as the producer wrote it, or wrapped in the sidecar's envelope)
/// and acknowledged unread otherwise. An event is handled once per group: the group remembers the events
/// it handled, as the Redis consumer does. A failure answers RETRY; the sidecar's resiliency policy retries
/// and, past its attempts, moves the delivery to the subscription's dead-letter topic.
/// </summary>
public sealed class DaprEventDelivery(DaprClient dapr, DaprStoreOptions options, ErrorTranslation errors, ILogger<DaprEventDelivery> logger)
{
    /// <summary>How long a group remembers an event it handled, so a second delivery is not handled again.</summary>
    public static readonly TimeSpan HandledMemory = TimeSpan.FromDays(30);

    private const string EventTypePrefix = "ent.partnership.";

    private static readonly ActivitySource Activities = new(ServiceDefaultsExtensions.ActivitySourceName);

    public async Task<IResult> DeliverAsync(HttpRequest request, DaprSubscription subscription, IEventHandler handler)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        ReceivedEvent? received;
        try
        {
            received = EventIn(await reader.ReadToEndAsync(request.HttpContext.RequestAborted));
        }
        catch (Exception exception) when (exception is JsonException or FormatException or ArgumentException or InvalidOperationException)
        {
            // One of the events, but unreadable: given back until the sidecar moves it to the dead-letter topic.
            logger.LogError(exception, "An event of {Topic} cannot be read", subscription.Topic);
            return Status("RETRY");
        }

        if (received is null)
        {
            return Status("SUCCESS");
        }

        using var activity = received.StartHandling(Activities, "dapr", subscription.Topic, subscription.Group);
        using var acting = received.Handling();
        try
        {
            var handledKey = $"{options.Prefix}:{subscription.Group}:handled:{received.Id}";
            if (await dapr.GetStateAsync<string>(options.StoreName, handledKey) is null)
            {
                await handler.HandleAsync(received, request.HttpContext.RequestAborted);
                var lifetime = ((long)HandledMemory.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                await dapr.SaveStateAsync(options.StoreName, handledKey, "1", metadata: new Dictionary<string, string> { ["ttlInSeconds"] = lifetime });
            }

            return Status("SUCCESS");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The handler, or the state store remembering what was handled: either way the sidecar delivers it
            // again (a handler must be idempotent in effect, as on the Redis path), never a server error.
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            logger.LogWarning(exception, "Handling {EventType} {EventId} failed{ForNow}; the sidecar will deliver it again",
                received.Type, received.Id, errors.IsTransient(exception) ? " for now" : "");
            return Status("RETRY");
        }
    }

    /// <summary>
    /// The event a delivery carries, or null when it carries another item the outbox published (or is not
    /// JSON). Throws when it is one of the events but cannot be read.
    /// </summary>
    public static ReceivedEvent? EventIn(string body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (IsEvent(root))
            {
                return Received(body);
            }

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var data) && IsEvent(data))
            {
                return Received(data.GetRawText());
            }

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data_base64", out var encoded) && encoded.ValueKind == JsonValueKind.String)
            {
                return EventIn(Encoding.UTF8.GetString(encoded.GetBytesFromBase64()));
            }

            return null;
        }
    }

    private static bool IsEvent(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty("specversion", out _)
        && element.TryGetProperty("type", out var type)
        && type.ValueKind == JsonValueKind.String
        && type.GetString()!.StartsWith(EventTypePrefix, StringComparison.Ordinal);

    private static ReceivedEvent Received(string json)
    {
        var cloudEvent = EventFormat.Parse(json);
        return new ReceivedEvent(cloudEvent.Id!, cloudEvent);
    }

    private static IResult Status(string status) => Results.Json(new { status });
}

public static class DaprEventEndpoints
{
    /// <summary>
    /// Dapr's app API token: set (from one secret) on the sidecar and the app, the sidecar sends it in the
    /// <c>dapr-api-token</c> header and the app takes deliveries only with it.
    /// </summary>
    public const string AppApiTokenVariable = "APP_API_TOKEN";

    /// <summary>A delivery carries the app API token, when one is configured.</summary>
    private static bool FromTheSidecar(HttpRequest request, string? appToken) =>
        string.IsNullOrEmpty(appToken)
        || CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(request.Headers["dapr-api-token"].ToString()), Encoding.UTF8.GetBytes(appToken));

    /// <summary>
    /// The sidecar's subscription list (<c>GET /dapr/subscribe</c>) and one delivery route per subscription
    /// registered; nothing when the service consumes its events from Redis.
    /// </summary>
    public static IEndpointRouteBuilder MapDaprEvents(this IEndpointRouteBuilder endpoints)
    {
        var subscriptions = endpoints.ServiceProvider.GetServices<DaprSubscription>().ToList();
        if (subscriptions.Count == 0)
        {
            return endpoints;
        }

        var appToken = endpoints.ServiceProvider.GetRequiredService<IConfiguration>()[AppApiTokenVariable];
        endpoints.MapSubscribeHandler();
        foreach (var subscription in subscriptions)
        {
            endpoints.MapPost(subscription.Route, (HttpRequest request, DaprEventDelivery delivery, IServiceProvider services) =>
                    FromTheSidecar(request, appToken)
                        ? delivery.DeliverAsync(request, subscription, (IEventHandler)services.GetRequiredService(subscription.Handler))
                        : Task.FromResult(Results.Unauthorized()))
                .WithTopic(new TopicOptions
                {
                    PubsubName = subscription.PubSubName,
                    Name = subscription.Topic,
                    DeadLetterTopic = subscription.Topic + "-dead-letter",
                })
                .ExcludeFromDescription();
        }

        return endpoints;
    }
}

/// <summary>The Dapr pub/sub component a service subscribes on.</summary>
public sealed record DaprPubSub(string Name)
{
    public const string Default = "pubsub";
}
