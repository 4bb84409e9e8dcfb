using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ent.Partnership.ServiceDefaults.Jobs;

/// <summary>How often a clock job looks at what time may have changed.</summary>
public sealed record ClockOptions
{
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// A job that runs at once and then on every tick of the injected clock, so tests move time instead of
/// waiting. Every replica runs it: each job makes its changes with versioned writes, so they happen once.
/// A failed tick is logged and the next one tries again.
/// </summary>
public abstract class ClockJob(ClockOptions options, TimeProvider time, ILogger logger) : BackgroundService
{
    /// <summary>The clock the job ticks on.</summary>
    protected TimeProvider Time => time;

    /// <summary>One pass over what time may have changed.</summary>
    public abstract Task TickAsync();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Interval, time);
        do
        {
            try
            {
                await TickAsync();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "{Job} failed; it tries again at the next tick", GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
