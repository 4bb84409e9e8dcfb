using Ent.Partnership.Notifications.Storage;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Jobs;
using DeliveryState = Ent.Partnership.Notifications.V1.Delivery.Types.State;

namespace Ent.Partnership.Notifications.Dispatch;

/// <summary>
/// Deliveries are kept 30 days (SPEC section 12): once a day each process sweeps the events received 30 to
/// 60 days ago and deletes those with no delivery still PENDING (a delivery still being retried stays until
/// it ends). Every replica sweeps; a delete is a versioned write, so each happens once.
/// </summary>
public sealed class DeliveryRetention(NotificationRepository repository, ClockOptions options, TimeProvider time, ILogger<DeliveryRetention> logger)
    : ClockJob(options, time, logger)
{
    public static readonly TimeSpan Kept = TimeSpan.FromDays(30);

    private DateOnly? _swept;

    public override async Task TickAsync()
    {
        var today = DateOnly.FromDateTime(Time.GetUtcNow().UtcDateTime);
        if (_swept == today)
        {
            return;
        }

        var deleted = 0;
        for (var day = today.AddDays(-(int)Kept.TotalDays - 30); day < today.AddDays(-(int)Kept.TotalDays); day = day.AddDays(1))
        {
            foreach (var stored in await repository.EventsOfDayAsync(day))
            {
                if (stored.Resource.Deliveries.Any(d => d.Delivery.State == DeliveryState.Pending))
                {
                    continue;
                }

                var batch = repository.Store.NewBatch();
                repository.DeleteEvent(batch, stored.Resource.Id, stored.Version);
                try
                {
                    await batch.CommitAsync();
                    deleted++;
                }
                catch (ConcurrencyConflictException)
                {
                    // Another replica swept it, or a redelivery made it pending: the next sweep looks again.
                }
            }
        }

        _swept = today;
        if (deleted > 0)
        {
            logger.LogInformation("{Count} events older than {Days} days deleted with their deliveries", deleted, Kept.TotalDays);
        }
    }
}
