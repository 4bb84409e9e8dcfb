using Ent.Partnership.Notifications.Domain;
using Ent.Partnership.Notifications.Storage;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Jobs;
using Ent.Partnership.Storage;
using Google.Protobuf.WellKnownTypes;
using DeliveryState = Ent.Partnership.Notifications.V1.Delivery.Types.State;
using WebhookDelivery = Ent.Partnership.Notifications.V1.Delivery;

namespace Ent.Partnership.Notifications.Dispatch;

/// <summary>How the dispatcher paces itself.</summary>
public sealed record DispatchOptions
{
    /// <summary>How often it looks for due deliveries when nobody nudges it.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many events are posted at once.</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>How many events a pass reads at a time.</summary>
    public int PageSize { get; init; } = 200;

    /// <summary>How long a post may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long claimed deliveries are left to their claimant before another pass takes them again.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(30);

    public RetryPolicy Retries { get; init; } = new();
}

/// <summary>
/// Posts the due deliveries an event at a time: the event's document holds its delivery to every webhook, so
/// one versioned write claims the due ones (a lease: a replica's or a dead process's claim is not taken while
/// it may still post), they are posted at once, and one more write records what came of them. A process that
/// dies between a 2xx and that write leaves the lease to end and the event is posted again: at least once,
/// the same <c>webhook-id</c> telling the receiver.
/// </summary>
public sealed class Dispatcher(NotificationRepository repository, WebhookSender sender, DispatchOptions options, TimeProvider time, ILogger<Dispatcher> logger)
    : IPasses
{
    public const string Source = "/ent-partnership/notifications";

    private readonly Wakeup _wakeup = new();

    /// <summary>A new PENDING delivery of an event to a webhook, due now.</summary>
    public static StoredDelivery NewDelivery(string webhookId, string eventId, string type, Timestamp now) => new()
    {
        WebhookId = webhookId,
        Delivery = new WebhookDelivery
        {
            Name = NotificationRepository.DeliveryName(webhookId, eventId),
            EventId = eventId,
            Type = type,
            State = DeliveryState.Pending,
            NextAttemptTime = now,
            CreateTime = now,
        },
    };

    /// <summary>Asks for a pass now rather than at the next interval.</summary>
    public void Nudge() => _wakeup.Nudge();

    public Task WaitAsync(CancellationToken cancellationToken) => _wakeup.WaitAsync(options.Interval, cancellationToken);

    /// <summary>One pass over the events with deliveries due now, a page at a time.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        var webhooks = new Dictionary<string, StoredWebhook?>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var (events, next) = await repository.DueEventsAsync(options.PageSize, token);
            token = next.Length > 0 ? next : null;
            var now = time.GetUtcNow();
            var due = events.Where(e => e.Resource.Deliveries.Any(d => IsDue(d, now))).ToList();
            foreach (var id in due.SelectMany(e => e.Resource.Deliveries).Select(d => d.WebhookId).Distinct().Where(id => !webhooks.ContainsKey(id)).ToList())
            {
                webhooks[id] = (await repository.GetWebhookAsync(id))?.Resource;
            }

            await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken },
                async (stored, token) =>
                {
                    try
                    {
                        await PostEventAsync(stored, webhooks, token);
                    }
                    catch (ConcurrencyConflictException)
                    {
                        logger.LogDebug("Deliveries of {Event} claimed by another process", stored.Resource.Id);
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException)
                    {
                        logger.LogWarning(exception, "Posting {Event} failed; the next pass tries again", stored.Resource.Id);
                    }
                });
        }
        while (token is not null);
    }

    private static bool IsDue(StoredDelivery delivery, DateTimeOffset now) =>
        delivery.Delivery.State == DeliveryState.Pending
        && (delivery.Delivery.NextAttemptTime is null || delivery.Delivery.NextAttemptTime.ToDateTimeOffset() <= now);

    private async Task PostEventAsync(Stored<StoredEvent> stored, IReadOnlyDictionary<string, StoredWebhook?> webhooks, CancellationToken cancellationToken)
    {
        var kept = stored.Resource.Clone();
        var now = time.GetUtcNow();
        var posts = new List<(StoredDelivery Delivery, StoredWebhook Webhook)>();
        foreach (var delivery in kept.Deliveries.Where(d => IsDue(d, now)).ToList())
        {
            if (webhooks[delivery.WebhookId] is not { } webhook)
            {
                // The webhook was deleted: nothing more goes to it.
                kept.Deliveries.Remove(delivery);
            }
            else if (webhook.Webhook.State != V1.Webhook.Types.State.Active)
            {
                delivery.Delivery.State = DeliveryState.Failed;
                delivery.Delivery.NextAttemptTime = null;
                delivery.Delivery.LastError = "Le webhook est désactivé.";
            }
            else
            {
                delivery.Delivery.Attempts++;
                delivery.Delivery.NextAttemptTime = Timestamp.FromDateTimeOffset(now + options.Lease);
                if (delivery.FirstAttemptUnixMs == 0)
                {
                    delivery.FirstAttemptUnixMs = now.ToUnixTimeMilliseconds();
                }

                posts.Add((delivery, webhook));
            }
        }

        var claim = repository.Store.NewBatch();
        if (kept.Deliveries.Count == 0)
        {
            // Every webhook it was for is deleted.
            repository.DeleteEvent(claim, kept.Id, stored.Version);
            await claim.CommitAsync();
            return;
        }

        repository.PutEvent(claim, kept, stored.Version);
        var claimed = (await claim.CommitAsync()).Versions[0];
        if (posts.Count == 0)
        {
            return;
        }

        var outcomes = await Task.WhenAll(posts.Select(p => sender.PostAsync(p.Webhook.Webhook.Url, p.Webhook.Webhook.Secret, kept.Id, kept.Json, cancellationToken)));
        var after = time.GetUtcNow();
        var results = posts.Select((p, i) => (p.Delivery.WebhookId, p.Delivery.Delivery.Attempts, Outcome: outcomes[i])).ToList();
        await RecordAsync(new Stored<StoredEvent>(kept, claimed), results, after);
    }

    /// <summary>
    /// Writes the outcomes; when the event changed since the claim (a redelivery of another of its deliveries,
    /// a webhook added), on its fresh state, to the deliveries still at the attempt that was made.
    /// </summary>
    private async Task RecordAsync(Stored<StoredEvent> claimed, List<(string WebhookId, int Attempts, PostOutcome Outcome)> results, DateTimeOffset after)
    {
        var jitter = Random.Shared.NextDouble();
        var current = claimed;
        for (var attempt = 1; ; attempt++)
        {
            var kept = current.Resource.Clone();
            foreach (var (webhookId, attempts, outcome) in results)
            {
                var delivery = kept.Deliveries.FirstOrDefault(d => d.WebhookId == webhookId);
                if (delivery is { Delivery.State: DeliveryState.Pending } && delivery.Delivery.Attempts == attempts)
                {
                    DeliveryOutcomes.Record(delivery.Delivery, outcome, DateTimeOffset.FromUnixTimeMilliseconds(delivery.FirstAttemptUnixMs), after, options.Retries, jitter);
                }
            }

            var batch = repository.Store.NewBatch();
            repository.PutEvent(batch, kept, current.Version);
            try
            {
                await batch.CommitAsync();
                return;
            }
            catch (ConcurrencyConflictException) when (attempt < Writes.Attempts)
            {
                current = await repository.GetEventAsync(kept.Id) ?? throw new NotFoundException(kept.Id);
            }
        }
    }
}
