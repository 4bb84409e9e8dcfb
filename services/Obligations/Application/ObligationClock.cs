using Ent.Partnership.ServiceDefaults.Jobs;

namespace Ent.Partnership.Obligations.Application;

/// <summary>Recomputes the statuses that time changes (every 10 s in Development, <c>Clock:Interval</c>).</summary>
public sealed class ObligationClock(ObligationCatalog catalog, ClockOptions options, TimeProvider time, ILogger<ObligationClock> logger)
    : ClockJob(options, time, logger)
{
    public override async Task TickAsync()
    {
        var moved = await catalog.AdvanceWithTimeAsync();
        if (moved > 0)
        {
            logger.LogInformation("{Count} obligations changed status with time", moved);
        }
    }
}
