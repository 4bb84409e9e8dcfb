using Ent.Partnership.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ent.Partnership.Redis.Tests;

public sealed class OneAtATimeTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task TwoReplicas_RunTheStepInTurn_NeverSideBySide()
    {
        var options = new RedisStoreOptions("one-" + Guid.NewGuid().ToString("N")[..8]);
        var replicas = Enumerable.Range(0, 2).Select(_ => new RedisOneAtATime(redis.Connection, options, NullLogger<RedisOneAtATime>.Instance)).ToList();
        var inside = 0;
        var most = 0;
        var runs = 0;

        await Task.WhenAll(replicas.Select(replica => Task.Run(() => replica.RunAsync("seed", async () =>
        {
            most = Math.Max(most, Interlocked.Increment(ref inside));
            await Task.Delay(300);
            Interlocked.Decrement(ref inside);
            Interlocked.Increment(ref runs);
        }, CancellationToken.None))));

        Assert.Equal((2, 1), (runs, most));
        Assert.False(await redis.Connection.GetDatabase().KeyExistsAsync($"{options.Prefix}:one-at-a-time:seed"));
    }
}
