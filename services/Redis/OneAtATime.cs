using Ent.Partnership.Storage;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Ent.Partnership.Redis;

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
