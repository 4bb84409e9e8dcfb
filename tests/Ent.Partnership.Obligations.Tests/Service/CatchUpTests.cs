extern alias parties;

using Ent.Partnership.Conventions.V1;
using Ent.Partnership.Obligations.Grpc;
using Ent.Partnership.Obligations.Storage;
using Ent.Partnership.Redis;
using Grpc.Net.ClientFactory;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Ent.Partnership.Obligations.Tests.Service;

/// <summary>
/// Events written while the obligations service was down are all handled when it starts, and handling an
/// event again makes nothing twice: real redis-server, the parties service in memory beside it.
/// </summary>
public sealed class CatchUpTests : IAsyncLifetime
{
    private const string SigningKey = "in-memory-tests-signing-key-of-at-least-32-bytes";

    private readonly Ent.Partnership.Tests.Support.RedisServer _redis = new();
    private WebApplicationFactory<parties::Ent.Partnership.Parties.Grpc.PartiesService> _parties = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _parties = new WebApplicationFactory<parties::Ent.Partnership.Parties.Grpc.PartiesService>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("ConnectionStrings:redis", _redis.ConnectionString);
            builder.UseSetting("InternalToken:SigningKey", SigningKey);
            builder.UseSetting("Seed:Parties", "false");
        });
    }

    public async Task DisposeAsync()
    {
        await _parties.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private WebApplicationFactory<ObligationsService> StartObligations() =>
        new WebApplicationFactory<ObligationsService>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("ConnectionStrings:redis", _redis.ConnectionString);
            builder.UseSetting("InternalToken:SigningKey", SigningKey);
            builder.UseSetting("Seed:Evidence", "false");
            builder.ConfigureTestServices(services =>
            {
                services.AddHttpClient(nameof(parties::Ent.Partnership.Parties.V1.Parties.PartiesClient))
                    .ConfigurePrimaryHttpMessageHandler(() => _parties.Server.CreateHandler());
                services.Configure<GrpcClientFactoryOptions>(nameof(parties::Ent.Partnership.Parties.V1.Parties.PartiesClient),
                    options => options.Address = _parties.Server.BaseAddress);
            });
        });

    private static Convention InForce(string id) => new()
    {
        Name = "conventions/" + id,
        Revision = 1,
        State = Convention.Types.State.InForce,
        EffectiveDate = "2024-09-01",
        EndDate = "2026-08-31",
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

    private async Task AppendAsync(OutgoingEvent outgoing) =>
        await _redis.Connection.GetDatabase().StreamAddAsync(ConventionEventsStream,
            [new NameValueEntry("type", outgoing.Type), new NameValueEntry("id", outgoing.Id), new NameValueEntry("event", outgoing.ToJson())]);

    private const string ConventionEventsStream = "conventions:events";

    [Fact]
    public async Task EventsWrittenWhileTheServiceWasDown_AreAllHandled_AndNoneTwice()
    {
        var first = OutgoingEvent.From(new ConventionInForce { Convention = InForce("first") }, "/tests", "conventions/first", TimeProvider.System);
        var second = OutgoingEvent.From(new ConventionInForce { Convention = InForce("second") }, "/tests", "conventions/second", TimeProvider.System);
        var replay = OutgoingEvent.From(new ConventionInForce { Convention = InForce("first") }, "/tests", "conventions/first", TimeProvider.System);
        await AppendAsync(first);
        await AppendAsync(first);
        await AppendAsync(second);
        await AppendAsync(replay);

        await using var obligations = StartObligations();
        var repository = obligations.Services.GetRequiredService<ObligationRepository>();
        var db = _redis.Connection.GetDatabase();
        var last = (await db.StreamRangeAsync(ConventionEventsStream, count: 1, messageOrder: Order.Descending))[0].Id;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var group = (await db.StreamGroupInfoAsync(ConventionEventsStream)).SingleOrDefault(g => g.Name == "obligations");
            if (group.Name is not null && group.LastDeliveredId == last && group.PendingMessageCount == 0)
            {
                break;
            }

            await Task.Delay(50, timeout.Token);
        }

        var all = await repository.ListAllAsync([]);
        Assert.Equal(2, all.Count(o => o.Obligation.Convention == "conventions/first"));
        Assert.Equal(2, all.Count(o => o.Obligation.Convention == "conventions/second"));
    }
}
