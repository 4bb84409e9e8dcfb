using Ent.Partnership.ServiceDefaults.Jobs;

namespace Ent.Partnership.Conventions.Application;

/// <summary>
/// Moves conventions as days pass (SIGNED → IN_FORCE on the effective date, IN_FORCE → EXPIRED after the end
/// date).
/// </summary>
public sealed class ConventionClock(ConventionCatalog catalog, ClockOptions options, TimeProvider time, ILogger<ConventionClock> logger)
    : ClockJob(options, time, logger)
{
    public override async Task TickAsync()
    {
        foreach (var convention in await catalog.AdvanceWithTimeAsync())
        {
            logger.LogInformation("{Convention} moved on with time", convention);
        }
    }
}
