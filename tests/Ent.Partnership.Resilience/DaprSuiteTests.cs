using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Ent.Partnership.Suite.Tests;
using Ent.Partnership.Tests.Support;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Ent.Partnership.Resilience;

/// <summary>
/// The whole suite with every service in <c>Storage:Mode=Dapr</c>, talking to the sidecar stand-in: each
/// service's own state store (<c>{service}-state</c>) and outbox topic (<c>{service}-events</c>), the
/// conventions' events delivered to the obligations' and communications' subscriptions.
/// </summary>
public sealed class DaprSuite : SuiteFixture
{
    private static readonly string[] Services = ["parties", "conventions", "obligations", "communications"];

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _deliveries = [];

    public DaprSidecar Sidecar { get; } = new();

    public override async Task InitializeAsync()
    {
        await Sidecar.InitializeAsync();
        await base.InitializeAsync();
    }

    protected override void Configure(IDistributedApplicationTestingBuilder builder)
    {
        foreach (var service in builder.Resources.OfType<ProjectResource>().Where(r => Services.Contains(r.Name)).ToList())
        {
            builder.CreateResourceBuilder(service)
                .WithEnvironment("Storage__Mode", "Dapr")
                .WithEnvironment("DAPR_GRPC_ENDPOINT", Sidecar.GrpcEndpoint)
                .WithEnvironment("DAPR_HTTP_ENDPOINT", Sidecar.HttpEndpoint);
        }
    }

    /// <summary>The stand-in delivers to the two subscribing services from the start: the sample charter reaches communications so.</summary>
    protected override Task StartedAsync(CancellationToken cancellationToken)
    {
        foreach (var app in new[] { "obligations", "communications" })
        {
            _deliveries.Add(DeliverAsync(app));
        }

        return Task.CompletedTask;
    }

    /// <summary>The deliveries to the subscribing services: running until the suite stops, unless one failed.</summary>
    public Task Deliveries => Task.WhenAll(_deliveries);

    private async Task DeliverAsync(string app)
    {
        using var client = new HttpClient { BaseAddress = App.GetEndpoint(app, "http"), Timeout = TimeSpan.FromSeconds(30) };
        await Sidecar.DeliverAsync(client, appId: app, _stop.Token);
    }

    public override async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_deliveries);
        await base.DisposeAsync();
        await Sidecar.DisposeAsync();
        _stop.Dispose();
    }
}

/// <summary>
/// The clients' main flows on the Dapr path, end to end: parties, conventions into force, the obligations
/// their ConventionInForce makes (through the conventions' outbox and the obligations' subscription),
/// evidence, messages approved and delivered to each school once. Its own collection, like
/// <see cref="ReplicasTests"/>: its suite takes its turn through the machine lock.
/// </summary>
public sealed class DaprSuiteTests(DaprSuite suite, ITestOutputHelper output) : IClassFixture<DaprSuite>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task TheMainFlows_OnTheDaprPath_HaveOneEffectEach()
    {
        await suite.ImportSchoolsOnceAsync();
        using var client = new HttpClient { BaseAddress = suite.Gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var sandboxClient = new HttpClient { BaseAddress = suite.App.GetEndpoint("ent-sandbox", "http"), Timeout = TimeSpan.FromSeconds(30) };
        var (lycees, marne) = await Workload.TargetsAsync(client);
        var workload = new Workload(client, "dapr", lycees, marne);

        await workload.RunUntilAcknowledgedAsync(target: 40, clients: 4, Patience, suite.Deliveries);

        output.WriteLine($"{workload.Acknowledged} writes acknowledged, {workload.Refusals.Count} refusals on the way");
        await workload.VerifyAsync(new Sandbox(sandboxClient), EventsSettledAsync);
        // Nothing went the Redis way: the services' own Redis holds no document of theirs.
        var redis = (await suite.App.GetConnectionStringAsync("redis"))!;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        Assert.Empty(connection.GetServer(connection.GetEndPoints()[0]).Keys(pattern: "parties:parties:*").Take(1));
    }

    /// <summary>Both subscribing groups have acknowledged every message of the conventions' topic; none was dead-lettered.</summary>
    private async Task EventsSettledAsync()
    {
        var db = suite.Sidecar.Redis.GetDatabase();
        var topic = DaprSidecar.TopicKey("conventions-events");
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            var length = await db.StreamLengthAsync(topic);
            var groups = await db.StreamGroupInfoAsync(topic);
            if (groups.Length == 2 && groups.All(g => g.PendingMessageCount == 0 && g.EntriesRead == length))
            {
                break;
            }

            Assert.False(deadline.IsCancellationRequested, "the subscriptions to conventions-events did not catch up");
            await Task.Delay(200, CancellationToken.None);
        }

        Assert.Equal(0, await db.StreamLengthAsync(DaprSidecar.TopicKey("conventions-events-dead-letter")));
    }
}
