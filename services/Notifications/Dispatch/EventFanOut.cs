using Ent.Partnership.Notifications.Application;
using Ent.Partnership.Notifications.Domain;
using Ent.Partnership.Notifications.Storage;
using Ent.Partnership.Storage;
using Google.Protobuf.WellKnownTypes;

namespace Ent.Partnership.Notifications.Dispatch;

/// <summary>
/// Every service's events, read with the notifications service's own consumer group on each stream: each
/// event is kept, in one write, with a PENDING delivery per active webhook that asks for its type and whose
/// owner is among its readers. Handled again (a redelivered entry), it adds only the deliveries missing.
/// </summary>
public sealed class EventFanOut(NotificationRepository repository, Dispatcher dispatcher, TimeProvider time) : IEventHandler
{
    /// <summary>The streams of the services whose events go to webhooks.</summary>
    public static readonly string[] Streams = ["parties:events", "conventions:events", "obligations:events", "communications:events"];

    public async Task HandleAsync(ReceivedEvent received, CancellationToken cancellationToken)
    {
        var type = EventTypes.LastSegment(received.Type);
        var readers = received.Readers;
        var webhooks = (await repository.AllWebhooksAsync([NotificationRepository.InState(V1.Webhook.Types.State.Active)]))
            .Where(w => (w.Resource.Webhook.EventTypes.Count == 0 || w.Resource.Webhook.EventTypes.Contains(type)) && Owners.MayRead(w.Resource, readers))
            .Select(w => NotificationRepository.IdOf(w.Resource.Webhook.Name))
            .ToList();
        if (webhooks.Count == 0)
        {
            return;
        }

        await Writes.RetryOnConflictAsync(async () =>
        {
            var stored = await repository.GetEventAsync(received.Id);
            var kept = stored?.Resource.Clone() ?? new StoredEvent { Id = received.Id, Json = received.ToJson() };
            var missing = webhooks.Where(w => !kept.Deliveries.Any(d => d.WebhookId == w)).ToList();
            if (missing.Count == 0)
            {
                return;
            }

            var now = Timestamp.FromDateTimeOffset(time.GetUtcNow());
            kept.Deliveries.Add(missing.Select(w => Dispatcher.NewDelivery(w, received.Id, received.Type, now)));
            var batch = repository.Store.NewBatch();
            repository.PutEvent(batch, kept, stored?.Version ?? 0);
            await batch.CommitAsync();
        });
        dispatcher.Nudge();
    }
}
