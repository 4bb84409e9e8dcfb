using Ent.Partnership.Notifications.Domain;
using Ent.Partnership.Notifications.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.Storage;
using Google.Protobuf;

namespace Ent.Partnership.Notifications.Storage;

/// <summary>
/// Webhooks, and the events to post with their deliveries, in the service's document store. An event is one
/// document holding its delivery to every webhook, so that one write claims or records all of them.
/// </summary>
public sealed class NotificationRepository(IDocumentStore store)
{
    public const string Webhooks = "webhooks";
    public const string Events = "events";
    public const string NamePrefix = "webhooks/";

    /// <summary>The index term of events with a delivery waiting for a post.</summary>
    public static readonly IndexTerm Due = new("due", "1");

    public IDocumentStore Store => store;

    public static string IdOf(string name) => name[NamePrefix.Length..];

    public async Task<Stored<StoredWebhook>?> GetWebhookAsync(string id) =>
        await store.GetAsync(Webhooks, id) is { } document ? new(StoredWebhook.Parser.ParseFrom(document.Data), document.Version) : null;

    public async Task<(IReadOnlyList<Stored<StoredWebhook>> Webhooks, string NextPageToken)> ListWebhooksAsync(
        IReadOnlyList<IndexTerm> terms, int pageSize, string? pageToken, string filterText)
    {
        var page = await store.ListAsync(Webhooks, terms, null, pageSize, pageToken, filterText);
        return (page.Documents.Select(d => new Stored<StoredWebhook>(StoredWebhook.Parser.ParseFrom(d.Data), d.Version)).ToList(), page.NextPageToken);
    }

    /// <summary>Every webhook with the terms.</summary>
    public async Task<IReadOnlyList<Stored<StoredWebhook>>> AllWebhooksAsync(IReadOnlyList<IndexTerm> terms) =>
        (await store.ListAllAsync(Webhooks, terms)).Select(d => new Stored<StoredWebhook>(StoredWebhook.Parser.ParseFrom(d.Data), d.Version)).ToList();

    public static IndexTerm Owner(string owner) => new("owner", owner);

    public static IndexTerm InState(Webhook.Types.State state) => new("state", ProtoEnum.Name(state));

    public void PutWebhook(WriteBatch batch, StoredWebhook webhook, long expectedVersion) =>
        batch.Put(Webhooks, IdOf(webhook.Webhook.Name), expectedVersion, webhook.ToByteArray(),
            [Owner(webhook.Webhook.Owner), InState(webhook.Webhook.State)]);

    public static string DeliveryName(string webhookId, string eventId) => $"{NamePrefix}{webhookId}/deliveries/{eventId}";

    public static IndexTerm ForWebhook(string webhookId) => new("webhook", webhookId);

    public static IndexTerm OfType(string type) => new("type", EventTypes.LastSegment(type));

    private static IndexTerm OnDay(DateOnly day) => new("day", day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

    public async Task<Stored<StoredEvent>?> GetEventAsync(string eventId) =>
        await store.GetAsync(Events, EventKey(eventId)) is { } document ? new(StoredEvent.Parser.ParseFrom(document.Data), document.Version) : null;

    /// <summary>A page of the events with a delivery to the webhook, newest first, kept by <paramref name="keep"/>.</summary>
    public async Task<(IReadOnlyList<StoredEvent> Events, string NextPageToken)> ListEventsAsync(
        IReadOnlyList<IndexTerm> terms, Func<StoredEvent, bool>? keep, int pageSize, string? pageToken, string filterText)
    {
        var page = await store.ListAsync(Events, terms, keep is null ? null : d => keep(StoredEvent.Parser.ParseFrom(d.Data)), pageSize, pageToken, filterText);
        return (page.Documents.Select(d => StoredEvent.Parser.ParseFrom(d.Data)).ToList(), page.NextPageToken);
    }

    /// <summary>A page of the events with a delivery waiting for a post, newest first.</summary>
    public async Task<(IReadOnlyList<Stored<StoredEvent>> Events, string NextPageToken)> DueEventsAsync(int pageSize, string? pageToken)
    {
        var page = await store.ListAsync(Events, [Due], null, pageSize, pageToken, "due");
        return (page.Documents.Select(d => new Stored<StoredEvent>(StoredEvent.Parser.ParseFrom(d.Data), d.Version)).ToList(), page.NextPageToken);
    }

    /// <summary>The events received on a day (UTC), for the retention's sweep.</summary>
    public async Task<IReadOnlyList<Stored<StoredEvent>>> EventsOfDayAsync(DateOnly day) =>
        (await store.ListAllAsync(Events, [OnDay(day)])).Select(d => new Stored<StoredEvent>(StoredEvent.Parser.ParseFrom(d.Data), d.Version)).ToList();

    public void DeleteEvent(WriteBatch batch, string eventId, long expectedVersion) => batch.Delete(Events, EventKey(eventId), expectedVersion);

    public void PutEvent(WriteBatch batch, StoredEvent stored, long expectedVersion)
    {
        var terms = new List<IndexTerm>();
        if (stored.Deliveries.Count > 0)
        {
            terms.Add(OfType(stored.Deliveries[0].Delivery.Type));
        }

        terms.AddRange(stored.Deliveries.Select(d => ForWebhook(d.WebhookId)));
        if (stored.Deliveries.Select(d => d.Delivery.CreateTime).Where(t => t is not null).DefaultIfEmpty().Min() is { } created)
        {
            terms.Add(OnDay(DateOnly.FromDateTime(created.ToDateTime())));
        }

        if (stored.Deliveries.Any(d => d.Delivery.State == Delivery.Types.State.Pending))
        {
            terms.Add(Due);
        }

        batch.Put(Events, EventKey(stored.Id), expectedVersion, stored.ToByteArray(), terms, listed: false);
    }

    /// <summary>
    /// An event's key: its id with every hex digit turned around, so that keys sort newest first (event ids are
    /// version 7 UUIDs, which sort oldest first) and a webhook's deliveries list newest first.
    /// </summary>
    private static string EventKey(string id) => string.Create(id.Length, id, static (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            span[i] = Uri.IsHexDigit(c) ? "fedcba9876543210"[Uri.FromHex(c)] : c;
        }
    });
}
