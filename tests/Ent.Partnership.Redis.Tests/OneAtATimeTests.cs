using Ent.Partnership.Dapr;
using Ent.Partnership.Storage;
using Ent.Partnership.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ent.Partnership.Redis.Tests;

/// <summary>The lease that runs a step in one replica at a time, on each adapter.</summary>
public abstract class OneAtATimeContract
{
    protected string Prefix { get; } = "one-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A replica's lease.</summary>
    protected abstract IOneAtATime Replica();

    protected abstract Task<bool> LeaseRemainsAsync(string name);

    [Fact]
    public async Task TwoReplicas_RunTheStepInTurn_NeverSideBySide()
    {
        IOneAtATime[] replicas = [Replica(), Replica()];
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
        Assert.False(await LeaseRemainsAsync("seed"));
    }
}

public sealed class OneAtATimeTests(RedisServer redis) : OneAtATimeContract, IClassFixture<RedisServer>
{
    protected override IOneAtATime Replica() => new RedisOneAtATime(redis.Connection, new RedisStoreOptions(Prefix), NullLogger<RedisOneAtATime>.Instance);

    protected override Task<bool> LeaseRemainsAsync(string name) => redis.Connection.GetDatabase().KeyExistsAsync($"{Prefix}:one-at-a-time:{name}");
}

public sealed class DaprOneAtATimeTests(DaprSidecar sidecar) : OneAtATimeContract, IClassFixture<DaprSidecar>
{
    protected override IOneAtATime Replica() => new DaprOneAtATime(sidecar.Client, new DaprStoreOptions(DaprSidecar.StoreName, Prefix), NullLogger<DaprOneAtATime>.Instance);

    protected override async Task<bool> LeaseRemainsAsync(string name) =>
        await sidecar.Client.GetStateAsync<string>(DaprSidecar.StoreName, $"{Prefix}:one-at-a-time:{name}") is not null;
}
