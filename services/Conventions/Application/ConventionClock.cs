namespace Ent.Partnership.Conventions.Application;

/// <summary>How often the clock looks at the conventions that time may move.</summary>
public sealed record ClockOptions
{
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Moves conventions as days pass (SIGNED → IN_FORCE on the effective date, IN_FORCE → EXPIRED after the end
/// date). Every replica may run it: each move is a versioned write, so it happens once.
/// </summary>
public sealed class ConventionClock(ConventionCatalog catalog, ClockOptions options, TimeProvider time, ILogger<ConventionClock> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Interval, time);
        do
        {
            await TickAsync();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task TickAsync()
    {
        try
        {
            foreach (var convention in await catalog.AdvanceWithTimeAsync())
            {
                logger.LogInformation("{Convention} moved on with time", convention);
            }
        }
        catch (Exception exception) when (exception is StackExchange.Redis.RedisException or global::Grpc.Core.RpcException)
        {
            logger.LogWarning(exception, "The convention clock could not run; it tries again at the next tick");
        }
    }
}
