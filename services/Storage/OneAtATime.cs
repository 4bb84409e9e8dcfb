using Microsoft.Extensions.Hosting;

namespace Ent.Partnership.Storage;

/// <summary>
/// Runs a step in one replica at a time: a step that may run again and again (loading the sample data) but
/// not beside itself. A replica takes a lease (set if absent, with a time-out, so that a replica that dies
/// holding it lets the others through); the others wait for it, then run the step in turn and find it done.
/// </summary>
public interface IOneAtATime
{
    /// <summary>How long a lease holds when its holder never gives it back.</summary>
    static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    Task RunAsync(string name, Func<Task> step, CancellationToken cancellationToken);
}

/// <summary>
/// A step run once as the process starts, in one replica at a time (loading the sample data): two replicas
/// running it side by side would race each other.
/// </summary>
public abstract class OneReplicaAtATimeService(IOneAtATime oneAtATime) : BackgroundService
{
    protected abstract Task RunOnceAsync(CancellationToken stoppingToken);

    protected sealed override Task ExecuteAsync(CancellationToken stoppingToken) =>
        oneAtATime.RunAsync(GetType().Name, () => RunOnceAsync(stoppingToken), stoppingToken);
}
