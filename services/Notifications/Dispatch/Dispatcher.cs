using Ent.Partnership.Notifications.Domain;
using Ent.Partnership.Notifications.Storage;
using Ent.Partnership.ServiceDefaults.Errors;
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

    /// <summary>How long a post may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long claimed deliveries are left to their claimant before another pass takes them again.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(30);

    public RetryPolicy Retries { get; init; } = new();
}

/// <summary>
/// Posts the due deliveries, one event at a time: its deliveries are claimed in one versioned write (a lease,
/// so a replica's or a dead process's claim is never taken while it may still post), posted at once, and
/// their outcomes written in one more. A process that dies between a 2xx and that write leaves the lease to
/// end and the event is posted again: at least once, and the <c>webhook-id</c> lets the receiver see it.
/// </summary>
public sealed class Dispatcher(NotificationRepository repository, WebhookSender sender, DispatchOptions options, TimeProvider time, ILogger<Dispatcher> logger)
{
    public const string Source = "/ent-partnership/notifications";

    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>A new PENDING delivery of an event to a webhook, due now.</summary>
    public static StoredDelivery NewDelivery(string webhookId, string eventId, string type, Timestamp now) => new()
    {
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
    public void Nudge()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }

    public Task WaitAsync(CancellationToken cancellationToken) => _wake.WaitAsync(options.Interval, cancellationToken);

    /// <summary>One pass over the deliveries due now.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var due = (await repository.DueDeliveriesAsync())
            .Where(d => d.Resource.Delivery.NextAttemptTime is null || d.Resource.Delivery.NextAttemptTime.ToDateTimeOffset() <= now)
            .GroupBy(d => d.Resource.Delivery.EventId)
            .ToList();
        if (due.Count == 0)
        {
            return;
        }

        var webhooks = new Dictionary<string, StoredWebhook?>(StringComparer.Ordinal);
        foreach (var id in due.SelectMany(g => g).Select(d => NotificationRepository.WebhookIdOf(d.Resource.Delivery.Name)).Distinct())
        {
            webhooks[id] = (await repository.GetWebhookAsync(id))?.Resource;
        }

        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken },
            async (deliveries, token) =>
            {
                try
                {
                    await PostEventAsync(deliveries.Key, deliveries.ToList(), webhooks, token);
                }
                catch (ConcurrencyConflictException)
                {
                    logger.LogDebug("Deliveries of {Event} claimed by another process", deliveries.Key);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    logger.LogWarning(exception, "Posting {Event} failed; the next pass tries again", deliveries.Key);
                }
            });
    }

    private async Task PostEventAsync(
        string eventId, List<Stored<StoredDelivery>> due, IReadOnlyDictionary<string, StoredWebhook?> webhooks, CancellationToken cancellationToken)
    {
        var json = await repository.GetEventAsync(eventId);
        var now = time.GetUtcNow();
        var claim = repository.Store.NewBatch();
        var posts = new List<(StoredDelivery Delivery, StoredWebhook Webhook)>();
        foreach (var stored in due)
        {
            var webhookId = NotificationRepository.WebhookIdOf(stored.Resource.Delivery.Name);
            if (webhooks[webhookId] is not { } webhook)
            {
                // The webhook was deleted: nothing more goes to it.
                claim.Delete(NotificationRepository.Deliveries, NotificationRepository.DeliveryId(webhookId, eventId), stored.Version);
                continue;
            }

            var delivery = stored.Resource.Clone();
            if (json is null || webhook.Webhook.State != V1.Webhook.Types.State.Active)
            {
                delivery.Delivery.State = DeliveryState.Failed;
                delivery.Delivery.NextAttemptTime = null;
                delivery.Delivery.LastError = json is null ? "L'événement n'est plus conservé." : "Le webhook est désactivé.";
                repository.PutDelivery(claim, webhookId, delivery, stored.Version);
                continue;
            }

            delivery.Delivery.Attempts++;
            delivery.Delivery.NextAttemptTime = Timestamp.FromDateTimeOffset(now + options.Lease);
            if (delivery.FirstAttemptUnixMs == 0)
            {
                delivery.FirstAttemptUnixMs = now.ToUnixTimeMilliseconds();
            }

            repository.PutDelivery(claim, webhookId, delivery, stored.Version);
            posts.Add((delivery, webhook));
        }

        var claimed = await claim.CommitAsync();
        if (posts.Count == 0)
        {
            return;
        }

        // The claim's versions, in the order the deliveries were put (deletions first have none to skip: they are not posted).
        var versions = claim.Documents.Zip(claimed.Versions)
            .Where(w => w.First.Collection == NotificationRepository.Deliveries && w.First.Data is not null)
            .ToDictionary(w => w.First.Id, w => w.Second, StringComparer.Ordinal);
        var outcomes = await Task.WhenAll(posts.Select(p => sender.PostAsync(p.Webhook.Webhook.Url, p.Webhook.Webhook.Secret, eventId, json!, cancellationToken)));
        var record = repository.Store.NewBatch();
        var after = time.GetUtcNow();
        for (var i = 0; i < posts.Count; i++)
        {
            var (delivery, _) = posts[i];
            var webhookId = NotificationRepository.WebhookIdOf(delivery.Delivery.Name);
            DeliveryOutcomes.Record(delivery.Delivery, outcomes[i], DateTimeOffset.FromUnixTimeMilliseconds(delivery.FirstAttemptUnixMs), after,
                options.Retries, Random.Shared.NextDouble());
            repository.PutDelivery(record, webhookId, delivery, versions[NotificationRepository.DeliveryId(webhookId, eventId)]);
        }

        await record.CommitAsync();
    }
}

/// <summary>Runs the dispatcher's passes: at once when nudged, else at every interval.</summary>
public sealed class DispatcherService(Dispatcher dispatcher, ILogger<DispatcherService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await dispatcher.TickAsync(stoppingToken);
                await dispatcher.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "Dispatch pass failed; the next one tries again");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }
}
