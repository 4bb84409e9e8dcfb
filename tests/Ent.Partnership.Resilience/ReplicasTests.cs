using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Ent.Partnership.Suite.Tests;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Ent.Partnership.Resilience;

/// <summary>The whole suite with two replicas of every service (<c>--Services:Replicas=2</c>).</summary>
public sealed class ReplicatedSuite : SuiteFixture
{
    protected override IEnumerable<string> Arguments => ["--Services:Replicas=2"];
}

/// <summary>
/// Two replicas of every service share the work on Redis: the clients' writes, the events (one consumer
/// group per service), the publication's deliveries (a lease each) and the clock jobs (versioned writes),
/// with one effect each.
/// </summary>
public sealed class ReplicasTests(ReplicatedSuite suite, ITestOutputHelper output) : IClassFixture<ReplicatedSuite>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private static readonly string[] Services = ["parties", "conventions", "obligations", "communications", "notifications"];

    [Fact]
    public async Task TwoReplicasOfEachService_ShareTheWork_AndEachEventHasOneEffect()
    {
        await suite.ImportSchoolsOnceAsync();
        using var client = new HttpClient { BaseAddress = suite.Gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var sandboxClient = new HttpClient { BaseAddress = suite.App.GetEndpoint("ent-sandbox", "http"), Timeout = TimeSpan.FromSeconds(30) };
        var (lycees, marne) = await Workload.TargetsAsync(client);
        var workload = new Workload(client, "replicas", lycees, marne);
        var redis = (await suite.App.GetConnectionStringAsync("redis"))!;
        var webhook = await WebhookWatch.StartAsync(client, sandboxClient, "replicas", redis);

        await workload.RunUntilAcknowledgedAsync(target: 60, clients: 4, Patience);

        output.WriteLine($"{workload.Acknowledged} writes acknowledged, {workload.Refusals.Count} refusals on the way");
        await workload.VerifyAsync(new Sandbox(sandboxClient), () => Workload.EventsSettledAsync(redis));
        // Two replicas of the notifications service: every event posted to the webhook, and accepted once.
        Assert.Empty(await webhook.AcceptedTwiceAsync());

        Assert.Equal(Services.ToDictionary(s => s, _ => 2), await RunningReplicasAsync());
        // Both replicas of each consuming service read the conventions' events, in one group per service.
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        foreach (var group in new[] { "obligations", "communications", "notifications" })
        {
            var consumers = await connection.GetDatabase().StreamConsumerInfoAsync("conventions:events", group);
            Assert.True(consumers.Length >= 2, $"{group}: {consumers.Length} consumer(s) in the group");
        }
    }

    /// <summary>How many processes of each service are running, from the AppHost's own view of its resources.</summary>
    private async Task<Dictionary<string, int>> RunningReplicasAsync()
    {
        var running = new Dictionary<string, string>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await foreach (var update in suite.App.ResourceNotifications.WatchAsync(deadline.Token))
            {
                if (Services.Contains(update.Resource.Name))
                {
                    running[update.ResourceId] = update.Resource.Name;
                    if (update.Snapshot.State?.Text != KnownResourceStates.Running)
                    {
                        running.Remove(update.ResourceId);
                    }
                }

                if (running.Count == Services.Length * 2)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Reported below: fewer replicas than expected.
        }

        return running.Values.GroupBy(name => name).ToDictionary(g => g.Key, g => g.Count());
    }
}
