using Ent.Partnership.Notifications.Domain;
using Ent.Partnership.Notifications.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.Storage;
using Google.Protobuf;

namespace Ent.Partnership.Notifications.Storage;

/// <summary>Webhooks, their deliveries and the events to post, in the service's document store.</summary>
public sealed class NotificationRepository(IDocumentStore store)
{
    public const string Webhooks = "webhooks";
    public const string Deliveries = "deliveries";
    public const string Events = "events";
    public const string NamePrefix = "webhooks/";

    /// <summary>The index term of deliveries waiting for a post.</summary>
    public static readonly IndexTerm Due = new("due", "1");

    public IDocumentStore Store => store;

    public static string IdOf(string name) => name[NamePrefix.Length..];

    public async Task<Stored<StoredWebhook>?> GetWebhookAsync(string id) =>
        await store.GetAsync(Webhooks, id) is { } document
            ? new Stored<StoredWebhook>(StoredWebhook.Parser.ParseFrom(document.Data), document.Version)
            : null;

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

    /// <summary>
    /// A delivery's id: its webhook's, then its event id with every hex digit turned around, so that ids sort
    /// newest first (event ids are version 7 UUIDs, which sort oldest first).
    /// </summary>
    public static string DeliveryId(string webhookId, string eventId) => webhookId + "~" + Descending(eventId);

    public static string DeliveryName(string webhookId, string eventId) => $"{NamePrefix}{webhookId}/deliveries/{eventId}";

    public async Task<Stored<StoredDelivery>?> GetDeliveryAsync(string webhookId, string eventId) =>
        await store.GetAsync(Deliveries, DeliveryId(webhookId, eventId)) is { } document
            ? new Stored<StoredDelivery>(StoredDelivery.Parser.ParseFrom(document.Data), document.Version)
            : null;

    /// <summary>The deliveries that exist among those of <paramref name="eventId"/> to <paramref name="webhookIds"/>.</summary>
    public async Task<IReadOnlyList<Stored<StoredDelivery>>> DeliveriesOfEventAsync(IReadOnlyList<string> webhookIds, string eventId) =>
        (await store.GetManyAsync(Deliveries, webhookIds.Select(w => DeliveryId(w, eventId)).ToList()))
            .Select(d => new Stored<StoredDelivery>(StoredDelivery.Parser.ParseFrom(d.Data), d.Version)).ToList();

    public async Task<(IReadOnlyList<Delivery> Deliveries, string NextPageToken)> ListDeliveriesAsync(
        IReadOnlyList<IndexTerm> terms, int pageSize, string? pageToken, string filterText)
    {
        var page = await store.ListAsync(Deliveries, terms, null, pageSize, pageToken, filterText);
        return (page.Documents.Select(d => StoredDelivery.Parser.ParseFrom(d.Data).Delivery).ToList(), page.NextPageToken);
    }

    /// <summary>Every delivery waiting for a post.</summary>
    public async Task<IReadOnlyList<Stored<StoredDelivery>>> DueDeliveriesAsync() =>
        (await store.ListAllAsync(Deliveries, [Due])).Select(d => new Stored<StoredDelivery>(StoredDelivery.Parser.ParseFrom(d.Data), d.Version)).ToList();

    public void PutDelivery(WriteBatch batch, string webhookId, StoredDelivery stored, long expectedVersion)
    {
        var delivery = stored.Delivery;
        var terms = new List<IndexTerm>
        {
            new("webhook", webhookId),
            new("state", ProtoEnum.Name(delivery.State)),
            new("type", EventTypes.LastSegment(delivery.Type)),
        };
        if (delivery.State == Delivery.Types.State.Pending)
        {
            terms.Add(Due);
        }

        batch.Put(Deliveries, DeliveryId(webhookId, delivery.EventId), expectedVersion, stored.ToByteArray(), terms);
    }

    public async Task<string?> GetEventAsync(string eventId) =>
        await store.GetAsync(Events, eventId) is { } document ? StoredEvent.Parser.ParseFrom(document.Data).Json : null;

    public async Task<bool> HasEventAsync(string eventId) => await store.GetAsync(Events, eventId) is not null;

    /// <summary>Keeps the event's JSON once for all its deliveries; not listed (read by id only).</summary>
    public void PutEvent(WriteBatch batch, string eventId, string json, long expectedVersion) =>
        batch.Put(Events, eventId, expectedVersion, new StoredEvent { Json = json }.ToByteArray(), [], listed: false);

    /// <summary>The webhook's id in a delivery's name, <c>webhooks/{w}/deliveries/{event}</c>.</summary>
    public static string WebhookIdOf(string deliveryName) => deliveryName.Split('/')[1];

    private static string Descending(string id) => string.Create(id.Length, id, static (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            span[i] = Uri.IsHexDigit(c) ? "fedcba9876543210"[Uri.FromHex(c)] : c;
        }
    });
}
