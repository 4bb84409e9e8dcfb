using Ent.Partnership.Notifications.Application;
using Ent.Partnership.Notifications.Domain;
using Ent.Partnership.Notifications.Storage;
using Ent.Partnership.Storage;
using Google.Protobuf.WellKnownTypes;

namespace Ent.Partnership.Notifications.Dispatch;

/// <summary>
/// Every service's events, read with the notifications service's own consumer group on each stream: each
/// event is kept once with a PENDING delivery per active webhook that asks for its type and whose owner is
/// among its readers, all in one write. Handled again (a redelivered entry), it adds only what is missing.
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
            var existing = (await repository.DeliveriesOfEventAsync(webhooks, received.Id))
                .Select(d => NotificationRepository.WebhookIdOf(d.Resource.Delivery.Name))
                .ToHashSet(StringComparer.Ordinal);
            var missing = webhooks.Where(w => !existing.Contains(w)).ToList();
            if (missing.Count == 0)
            {
                return;
            }

            var now = Timestamp.FromDateTimeOffset(time.GetUtcNow());
            var batch = repository.Store.NewBatch();
            if (!await repository.HasEventAsync(received.Id))
            {
                repository.PutEvent(batch, received.Id, received.ToJson(), expectedVersion: 0);
            }

            foreach (var webhookId in missing)
            {
                repository.PutDelivery(batch, webhookId, Dispatcher.NewDelivery(webhookId, received.Id, received.Type, now), expectedVersion: 0);
            }

            await batch.CommitAsync();
        });
        dispatcher.Nudge();
    }
}
