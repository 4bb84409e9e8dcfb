extern alias parties;

using System.Text;
using Ent.Partnership.Conventions.V1;
using Ent.Partnership.Obligations.Application;
using Ent.Partnership.Obligations.Grpc;
using Ent.Partnership.Obligations.Storage;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Storage;
using Ent.Partnership.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Ent.Partnership.Obligations.Tests.Service;

/// <summary>
/// Events written while the obligations service was down are all handled when it starts, and handling an
/// event again makes nothing twice: on a real redis-server, the parties service in memory beside it; on
/// each event path (<see cref="CatchUpTests"/>: Redis; <see cref="CatchUpOnDaprTests"/>: Dapr).
/// </summary>
public abstract class CatchUpContract : IAsyncLifetime
{
    protected const string SigningKey = TestSecrets.SigningKey;

    private PartiesHost<parties::Ent.Partnership.Parties.Grpc.PartiesService> _parties = null!;

    /// <summary>The redis-server the parties service (and, on the Redis path, the obligations service) uses.</summary>
    protected abstract string RedisConnectionString { get; }

    protected abstract Task StartStorageAsync();

    protected abstract Task StopStorageAsync();

    /// <summary>Where the obligations service keeps its documents and reads its events.</summary>
    protected abstract void ConfigureStorage(IWebHostBuilder builder);

    /// <summary>Publishes a conventions event as the conventions service would.</summary>
    protected abstract Task AppendAsync(OutgoingEvent outgoing);

    /// <summary>Returns once the obligations service has handled every event published, at most <paramref name="timeout"/> later.</summary>
    protected abstract Task UntilHandledAsync(WebApplicationFactory<ObligationsService> obligations, CancellationToken timeout);

    public async Task InitializeAsync()
    {
        await StartStorageAsync();
        _parties = new(RedisConnectionString, referenceParties: false);
    }

    public async Task DisposeAsync()
    {
        await _parties.DisposeAsync();
        await StopStorageAsync();
    }

    private WebApplicationFactory<ObligationsService> StartObligations() =>
        new WebApplicationFactory<ObligationsService>().WithWebHostBuilder(builder =>
        {
            ConfigureStorage(builder);
            builder.UseSetting("InternalToken:SigningKey", SigningKey);
            builder.UseSetting("Seed:Evidence", "false");
            builder.ConfigureTestServices(services =>
            {
                _parties.Serve(services);
            });
        });

    private static Convention InForce(string id, string endDate = "2026-08-31") => new()
    {
        Name = "conventions/" + id,
        Revision = 1,
        State = Convention.Types.State.InForce,
        EffectiveDate = "2024-09-01",
        EndDate = endDate,
        Signatories = { new Signatory { Party = "parties/aca-test", Role = Signatory.Types.Role.AcademicAuthority } },
        Articles =
        {
            new Article
            {
                Number = "4",
                Clauses = { new Clause { Obligation = new ObligationClause { ClauseId = "training", ObligorRole = Signatory.Types.Role.AcademicAuthority, Kind = ObligationClause.Types.Kind.Training, Metric = ObligationClause.Types.Metric.Sessions, Target = 3, Recurrence = ObligationClause.Types.Recurrence.PerSchoolYear } } },
            },
        },
    };

    [Fact]
    public async Task EventsWrittenWhileTheServiceWasDown_AreAllHandled_AndNoneTwice()
    {
        var first = OutgoingEvent.From(new ConventionInForce { Convention = InForce("first") }, "/tests", "conventions/first", TimeProvider.System, Readers.Everyone);
        var second = OutgoingEvent.From(new ConventionInForce { Convention = InForce("second") }, "/tests", "conventions/second", TimeProvider.System, Readers.Everyone);
        var replay = OutgoingEvent.From(new ConventionInForce { Convention = InForce("first") }, "/tests", "conventions/first", TimeProvider.System, Readers.Everyone);
        await AppendAsync(first);
        await AppendAsync(first);
        await AppendAsync(second);
        await AppendAsync(replay);

        await using var obligations = StartObligations();
        var repository = obligations.Services.GetRequiredService<ObligationRepository>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await UntilHandledAsync(obligations, timeout.Token);

        var all = await repository.ListAllAsync([]);
        Assert.Equal(2, all.Count(o => o.Obligation.Convention == "conventions/first"));
        Assert.Equal(2, all.Count(o => o.Obligation.Convention == "conventions/second"));
    }

    [Fact]
    public async Task TwoReplicasPlanningTheSameConventionsAtOnce_MakeOneObligationPerIdentity_AndNoClosedPeriod()
    {
        await using var first = StartObligations();
        await using var second = StartObligations();
        var names = Enumerable.Range(1, 10).Select(i => $"conventions/raced-{i}").ToList();
        foreach (var name in names)
        {
            await first.Services.GetRequiredService<ObligationCatalog>().KeepConventionAsync(InForce(name["conventions/".Length..], endDate: "2028-08-31"), inForce: true);
        }

        var catalogs = new[] { first, second }.Select(host => host.Services.GetRequiredService<ObligationCatalog>()).ToList();
        for (var round = 0; round < 3; round++)
        {
            // Each replica's clock twice at once, as if their timers fired together.
            await Task.WhenAll(catalogs.Concat(catalogs).Select(catalog => Task.Run(catalog.AdvanceWithTimeAsync)));
        }

        var today = catalogs[0].Today;
        var made = (await first.Services.GetRequiredService<ObligationRepository>().ListAllAsync([])).Select(o => o.Obligation).Where(o => names.Contains(o.Convention)).ToList();
        Assert.All(names, name => Assert.Equal(
            Periods(today).Select(start => start.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
            made.Where(o => o.Convention == name).Select(o => o.Period.StartDate).Order()));
    }

    /// <summary>The school years of 2024-2028 not ended on <paramref name="today"/>: what the clock plans.</summary>
    private static IEnumerable<DateOnly> Periods(DateOnly today) =>
        new[] { 2024, 2025, 2026, 2027 }.Select(year => new DateOnly(year, 9, 1)).Where(start => start.AddYears(1).AddDays(-1) >= today);
}

public sealed class CatchUpTests : CatchUpContract
{
    private const string ConventionEventsStream = "conventions:events";

    private readonly RedisServer _redis = new();

    protected override string RedisConnectionString => _redis.ConnectionString;

    protected override Task StartStorageAsync() => _redis.InitializeAsync();

    protected override Task StopStorageAsync() => _redis.DisposeAsync();

    protected override void ConfigureStorage(IWebHostBuilder builder) => builder.UseSetting("ConnectionStrings:redis", _redis.ConnectionString);

    protected override async Task AppendAsync(OutgoingEvent outgoing) =>
        await _redis.Connection.GetDatabase().StreamAddAsync(ConventionEventsStream,
            [new NameValueEntry("type", outgoing.Type), new NameValueEntry("id", outgoing.Id), new NameValueEntry("event", outgoing.ToJson())]);

    /// <summary>Until the obligations group has read the stream's last entry and holds none pending.</summary>
    protected override async Task UntilHandledAsync(WebApplicationFactory<ObligationsService> obligations, CancellationToken timeout)
    {
        var db = _redis.Connection.GetDatabase();
        var last = (await db.StreamRangeAsync(ConventionEventsStream, count: 1, messageOrder: Order.Descending))[0].Id;
        while (true)
        {
            var group = (await db.StreamGroupInfoAsync(ConventionEventsStream)).SingleOrDefault(g => g.Name == "obligations");
            if (group.Name is not null && group.LastDeliveredId == last && group.PendingMessageCount == 0)
            {
                return;
            }

            await Task.Delay(50, timeout);
        }
    }
}

/// <summary>
/// The obligations service with <c>Storage:Mode=Dapr</c>: the conventions events are published to the
/// <c>conventions-events</c> topic and the sidecar stand-in delivers them to the service's subscription.
/// </summary>
public sealed class CatchUpOnDaprTests : CatchUpContract
{
    private readonly DaprSidecar _sidecar = new();

    protected override string RedisConnectionString => _sidecar.RedisConnectionString;

    protected override Task StartStorageAsync() => _sidecar.InitializeAsync();

    protected override Task StopStorageAsync() => _sidecar.DisposeAsync();

    protected override void ConfigureStorage(IWebHostBuilder builder) => _sidecar.ConfigureService(builder);

    protected override Task AppendAsync(OutgoingEvent outgoing) =>
        _sidecar.Client.PublishByteEventAsync(DaprSidecar.PubSubName, "conventions-events", Encoding.UTF8.GetBytes(outgoing.ToJson()), "application/cloudevents+json");

    /// <summary>Delivers the service's subscriptions until its group has acknowledged every message of the topic.</summary>
    protected override async Task UntilHandledAsync(WebApplicationFactory<ObligationsService> obligations, CancellationToken timeout)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(timeout);
        var delivering = _sidecar.DeliverAsync(obligations.CreateClient(), appId: "obligations", stop.Token);
        var db = _sidecar.Redis.GetDatabase();
        var topic = DaprSidecar.TopicKey("conventions-events");
        var length = await db.StreamLengthAsync(topic);
        while (true)
        {
            var group = (await db.StreamGroupInfoAsync(topic)).SingleOrDefault(g => g.Name == "obligations");
            if (group.Name is not null && group.EntriesRead == length && group.PendingMessageCount == 0)
            {
                break;
            }

            if (delivering.IsCompleted)
            {
                await delivering; // the delivery stopped: say why (no subscription, the app refused...)
            }

            await Task.Delay(50, timeout);
        }

        await stop.CancelAsync();
        await delivering;
    }
}
