using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Ent.Partnership.Redis;

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

/// <summary>The lease as a Redis key, set if absent with a time-out, released by compare-and-delete.</summary>
public sealed class RedisOneAtATime(IConnectionMultiplexer redis, RedisStoreOptions options, ILogger<RedisOneAtATime> logger) : IOneAtATime
{
    private const string Release = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

    public async Task RunAsync(string name, Func<Task> step, CancellationToken cancellationToken)
    {
        var key = new RedisKey($"{options.Prefix}:one-at-a-time:{name}");
        var holder = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";
        while (!await TryTakeAsync(key, holder))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }

        try
        {
            await step();
        }
        finally
        {
            await redis.GetDatabase().ScriptEvaluateAsync(Release, [key], [holder]);
        }
    }

    private async Task<bool> TryTakeAsync(RedisKey key, string holder)
    {
        try
        {
            return await redis.GetDatabase().StringSetAsync(key, holder, IOneAtATime.Lease, When.NotExists);
        }
        catch (Exception exception) when (exception is RedisConnectionException or RedisTimeoutException)
        {
            logger.LogWarning(exception, "Redis does not answer yet; {Key} waits", key);
            return false;
        }
    }
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
