using Ent.Partnership.Obligations.Application;
using Ent.Partnership.Obligations.Grpc;
using Ent.Partnership.Obligations.Storage;
using Ent.Partnership.Obligations.V1;
using Ent.Partnership.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Ent.Partnership.Conventions.V1.ObligationClause.Types;
using static Ent.Partnership.Obligations.V1.Obligation.Types;

namespace Ent.Partnership.Obligations.Tests.Service;

/// <summary>The obligations service in memory over a real redis-server, on a clock the test moves.</summary>
public sealed class ObligationClockTests : IAsyncLifetime
{
    private readonly Ent.Partnership.Tests.Support.RedisServer _redis = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2020, 8, 30, 10, 0, 0, TimeSpan.Zero));
    private WebApplicationFactory<ObligationsService> _service = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _service = Replica();
        _ = _service.Server;
    }

    /// <summary>A host of the service on the test's Redis and clock; two of them are two replicas.</summary>
    private WebApplicationFactory<ObligationsService> Replica() =>
        new WebApplicationFactory<ObligationsService>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("ConnectionStrings:redis", _redis.ConnectionString);
            builder.UseSetting("InternalToken:SigningKey", TestSecrets.SigningKey);
            builder.UseSetting("Seed:Evidence", "false");
            builder.UseSetting("Clock:Interval", "01:00:00");
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_time));
        });

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task AnObligationShortOfItsTarget_IsBreached_WhenItsDueDatePasses_Once()
    {
        var repository = _service.Services.GetRequiredService<ObligationRepository>();
        var batch = repository.Store.NewBatch();
        repository.Put(batch, ShortOfItsTarget("o-clock-test"), 0);
        await batch.CommitAsync();
        var clock = _service.Services.GetRequiredService<ObligationClock>();

        await clock.TickAsync();
        var before = (await repository.GetAsync("o-clock-test"))!.Obligation.Status;
        _time.Advance(TimeSpan.FromDays(2));
        await clock.TickAsync();
        await clock.TickAsync();

        Assert.Equal(Status.OnTrack, before);
        Assert.Equal(Status.Breached, (await repository.GetAsync("o-clock-test"))!.Obligation.Status);
        var events = await _redis.Connection.GetDatabase().StreamRangeAsync("obligations:events");
        Assert.Single(events, e => e["type"] == "ent.partnership.obligations.v1.ObligationBreached");
    }

    [Fact]
    public async Task TwoReplicasTickingTogether_BreachEachObligationOnce()
    {
        await using var replica = Replica();
        var repository = _service.Services.GetRequiredService<ObligationRepository>();
        var names = Enumerable.Range(0, 30).Select(i => $"o-replicas-{i}").ToList();
        var batch = repository.Store.NewBatch();
        foreach (var name in names)
        {
            repository.Put(batch, ShortOfItsTarget(name), 0);
        }

        await batch.CommitAsync();
        _time.Advance(TimeSpan.FromDays(2));

        var clocks = new[] { _service, replica }.Select(host => host.Services.GetRequiredService<ObligationClock>()).ToList();
        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(clocks.Select(clock => Task.Run(clock.TickAsync)));
        }

        foreach (var name in names)
        {
            Assert.Equal(Status.Breached, (await repository.GetAsync(name))!.Obligation.Status);
        }

        var breaches = (await _redis.Connection.GetDatabase().StreamRangeAsync("obligations:events"))
            .Where(e => e["type"] == "ent.partnership.obligations.v1.ObligationBreached")
            .Select(e => Ent.Partnership.Storage.EventFormat.Parse(e["event"]!).Subject)
            .Where(subject => subject is not null && subject.StartsWith("obligations/o-replicas-", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(names.Select(n => "obligations/" + n).Order(), breaches.Order());
    }

    /// <summary>A training obligation of 2019-2020, on track with 3 sessions of 4, due on 31 August 2020.</summary>
    private static Obligation ShortOfItsTarget(string id) => new()
    {
        Name = "obligations/" + id,
        Convention = "conventions/c",
        Obligor = "parties/aca-reims",
        Signatory = "parties/aca-reims",
        // One clause each: obligations of the same clause, slot and period would be one identity.
        ClauseId = "training-" + id,
        Kind = Kind.Training,
        Metric = Metric.Sessions,
        Target = 4,
        Achieved = 3,
        Status = Status.OnTrack,
        Period = new Period { StartDate = "2019-09-01", EndDate = "2020-08-31" },
        DueDate = "2020-08-31",
    };
}
