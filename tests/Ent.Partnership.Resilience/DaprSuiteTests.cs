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
    private static readonly string[] Services = ["parties", "conventions", "obligations", "communications", "notifications"];

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

    /// <summary>The stand-in delivers to the subscribing services from the start: the sample charter reaches communications so.</summary>
    protected override Task StartedAsync(CancellationToken cancellationToken)
    {
        foreach (var app in new[] { "obligations", "communications", "notifications" })
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
        // The notifications service on Dapr too: an admin's webhook is told of the flows' events, each once.
        await new Gateway(client).OkAsync(HttpMethod.Post, "/v1/webhooks?webhookId=dapr", Workload.Admin,
            System.Text.Json.JsonSerializer.Serialize(new { url = sandboxClient.BaseAddress!.ToString().TrimEnd('/') + "/webhooks/dapr" }));

        await workload.RunUntilAcknowledgedAsync(target: 40, clients: 4, Patience, suite.Deliveries);

        output.WriteLine($"{workload.Acknowledged} writes acknowledged, {workload.Refusals.Count} refusals on the way");
        await workload.VerifyAsync(new Sandbox(sandboxClient), EventsSettledAsync);
        var accepted = await AcceptedAsync(sandboxClient, types => types.Contains("ConventionInForce") && types.Contains("DeliveryUpdated") && types.Contains("PartyCreated"));
        Assert.All(accepted.GroupBy(p => p.Id), g => Assert.Single(g));
        // Nothing went the Redis way: the services' own Redis holds no document of theirs.
        var redis = (await suite.App.GetConnectionStringAsync("redis"))!;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        Assert.Empty(connection.GetServer(connection.GetEndPoints()[0]).Keys(pattern: "parties:parties:*").Take(1));
    }

    /// <summary>What the sandbox's inbox accepted (event id and type's last segment), once <paramref name="done"/> holds of the types.</summary>
    private static async Task<List<(string Id, string Type)>> AcceptedAsync(HttpClient sandbox, Func<HashSet<string>, bool> done)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            var accepted = System.Text.Json.JsonDocument.Parse(await sandbox.GetStringAsync("/webhooks/dapr")).RootElement.GetProperty("posts").EnumerateArray()
                .Where(p => p.GetProperty("status").GetInt32() is >= 200 and < 300)
                .Select(p => (Id: p.GetProperty("webhookId").GetString()!,
                    Type: System.Text.Json.JsonDocument.Parse(p.GetProperty("body").GetString()!).RootElement.GetProperty("type").GetString()!.Split('.')[^1]))
                .ToList();
            if (done(accepted.Select(a => a.Type).ToHashSet()))
            {
                return accepted;
            }

            Assert.False(deadline.IsCancellationRequested, $"the webhook was told only of {string.Join(", ", accepted.Select(a => a.Type).Distinct())}");
            await Task.Delay(200, CancellationToken.None);
        }
    }

    /// <summary>The subscribing groups (obligations, communications, notifications) have acknowledged every message of the conventions' topic; none was dead-lettered.</summary>
    private async Task EventsSettledAsync()
    {
        var db = suite.Sidecar.Redis.GetDatabase();
        var topic = DaprSidecar.TopicKey("conventions-events");
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            var length = await db.StreamLengthAsync(topic);
            var groups = await db.StreamGroupInfoAsync(topic);
            if (groups.Length == 3 && groups.All(g => g.PendingMessageCount == 0 && g.EntriesRead == length))
            {
                break;
            }

            Assert.False(deadline.IsCancellationRequested, "the subscriptions to conventions-events did not catch up");
            await Task.Delay(200, CancellationToken.None);
        }

        Assert.Equal(0, await db.StreamLengthAsync(DaprSidecar.TopicKey("conventions-events-dead-letter")));
    }
}
