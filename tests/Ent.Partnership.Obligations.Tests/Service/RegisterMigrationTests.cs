using Ent.Partnership.Conventions.V1;
using Ent.Partnership.Obligations.Application;
using Ent.Partnership.Obligations.Domain;
using Ent.Partnership.Obligations.Grpc;
using Ent.Partnership.Obligations.Storage;
using Ent.Partnership.Obligations.V1;
using Ent.Partnership.Redis;
using Ent.Partnership.Tests.Support;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Ent.Partnership.Conventions.V1.ObligationClause.Types;
using static Ent.Partnership.Obligations.V1.Obligation.Types;

namespace Ent.Partnership.Obligations.Tests.Service;

/// <summary>
/// A register written by the planner of before identities (names made from the revision, no slot, a second
/// live obligation per period after each amendment), on a real redis-server, brought up to date by the step
/// the service runs as it starts.
/// </summary>
public sealed class RegisterMigrationTests : IAsyncLifetime
{
    private readonly Ent.Partnership.Tests.Support.RedisServer _redis = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
    private WebApplicationFactory<ObligationsService>? _service;

    /// <summary>The store as the service sees it, before the service runs.</summary>
    private ObligationRepository Written => new(new RedisDocumentStore(_redis.Connection, new RedisStoreOptions("obligations")));

    public Task InitializeAsync() => _redis.InitializeAsync();

    public async Task DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        await _redis.DisposeAsync();
    }

    /// <summary>Starts the service on the register as it is, and waits for its start-up step.</summary>
    private async Task<IServiceProvider> StartAsync()
    {
        _service = new WebApplicationFactory<ObligationsService>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("ConnectionStrings:redis", _redis.ConnectionString);
            builder.UseSetting("InternalToken:SigningKey", TestSecrets.SigningKey);
            builder.UseSetting("Seed:Evidence", "false");
            builder.UseSetting("Clock:Interval", "01:00:00");
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_time));
        });
        await _service.Services.GetRequiredService<RegisterMigration>().Ready.WaitAsync(TimeSpan.FromSeconds(30));
        return _service.Services;
    }

    private static Convention Convention(int revision) => new()
    {
        Name = "conventions/old",
        Revision = revision,
        EffectiveDate = "2025-09-01",
        EndDate = "2027-08-31",
        Signatories =
        {
            new Signatory { Party = "parties/aca-reims", Role = Signatory.Types.Role.AcademicAuthority },
            new Signatory { Party = "parties/dep-51", Role = Signatory.Types.Role.AcademicAuthority },
        },
        Articles =
        {
            new Article
            {
                Number = "4",
                Clauses = { new Clause { Obligation = new ObligationClause { ClauseId = "training", ObligorRole = Signatory.Types.Role.AcademicAuthority, Kind = Kind.Training, Metric = Metric.Sessions, Target = 2, Recurrence = Recurrence.PerSchoolYear } } },
            },
        },
    };

    /// <summary>An obligation as the old planner stored it: named from its revision, without its slot.</summary>
    private static Obligation Old(int revision, string slot, string start, int createdInYear, Status status)
    {
        var period = DateOnly.Parse(start, System.Globalization.CultureInfo.InvariantCulture);
        return new Obligation
        {
            Name = "obligations/" + ObligationPlanner.IdOf("conventions/old", revision, "training", slot, period),
            Convention = "conventions/old",
            ConventionRevision = revision,
            Article = "4",
            ClauseId = "training",
            Obligor = slot,
            Kind = Kind.Training,
            Metric = Metric.Sessions,
            Target = 2,
            Period = new Period { StartDate = start, EndDate = period.AddYears(1).AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) },
            DueDate = period.AddYears(1).AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            Status = status,
            CreateTime = Timestamp.FromDateTime(new DateTime(createdInYear, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
        };
    }

    [Fact]
    public async Task DuplicatesOfTheOldPlanner_AreSuperseded_KeepingTheOneWithEvidenceElseTheOldest_AndTheStepWritesNothingTheSecondTime()
    {
        var closedYear = Old(1, "parties/aca-reims", "2025-09-01", 2025, Status.Breached);
        var closedYearWithEvidence = Old(2, "parties/aca-reims", "2025-09-01", 2026, Status.Breached);
        var runningYear = Old(1, "parties/aca-reims", "2026-09-01", 2025, Status.OnTrack);
        var runningYearAgain = Old(2, "parties/aca-reims", "2026-09-01", 2026, Status.OnTrack);
        var otherSlot = new[] { Old(1, "parties/dep-51", "2025-09-01", 2025, Status.Breached), Old(1, "parties/dep-51", "2026-09-01", 2025, Status.OnTrack) };
        var written = Written;
        await written.KeepConventionAsync(Convention(2), inForce: true);
        var batch = written.Store.NewBatch();
        foreach (var obligation in otherSlot.Concat([closedYear, closedYearWithEvidence, runningYear, runningYearAgain]))
        {
            written.Put(batch, obligation, 0);
        }

        written.PutEvidence(batch, new Evidence { Name = closedYearWithEvidence.Name + "/evidence/e-1", TrainingSession = new TrainingSession { HeldOn = "2025-10-01" } });
        await batch.CommitAsync();

        var services = await StartAsync();

        var repository = services.GetRequiredService<ObligationRepository>();
        var after = (await repository.ListAllAsync([])).ToDictionary(s => s.Obligation.Name, s => s.Obligation);
        Assert.Equal((Status.Superseded, closedYearWithEvidence.Name), (after[closedYear.Name].Status, after[closedYear.Name].SupersededBy));
        Assert.Equal((Status.Superseded, runningYear.Name), (after[runningYearAgain.Name].Status, after[runningYearAgain.Name].SupersededBy));
        Assert.All(new[] { closedYearWithEvidence, runningYear }.Concat(otherSlot), kept => Assert.NotEqual(Status.Superseded, after[kept.Name].Status));
        Assert.Equal(
            ["parties/aca-reims", "parties/aca-reims", "parties/aca-reims", "parties/aca-reims", "parties/dep-51", "parties/dep-51"],
            after.Values.Select(o => o.Signatory).Order());
        var claims = await repository.ClaimsAsync(after.Values.Select(ObligationIdentity.Of));
        Assert.Equal(4, claims.Count);

        // Run again, even with its record gone, the step finds nothing to write.
        await DeleteRecordAsync(repository);
        Assert.Equal(0, await services.GetRequiredService<RegisterMigration>().MigrateAsync());

        // Planning the same revision again (the old clock's bug) now makes nothing.
        var catalog = services.GetRequiredService<ObligationCatalog>();
        Assert.Equal(0, await catalog.ReconcileAsync(Convention(3), catalog.Today, "Révision 3"));
        Assert.Equal(6, (await repository.ListAllAsync([])).Count);
    }

    [Fact]
    public async Task AnObligationOfAConventionNoLongerInForce_GetsItsSlotAndClaimToo()
    {
        var ended = Old(1, "parties/dep-51", "2024-09-01", 2024, Status.Fulfilled);
        var batch = Written.Store.NewBatch();
        Written.Put(batch, ended, 0);
        await batch.CommitAsync();

        var services = await StartAsync();

        var repository = services.GetRequiredService<ObligationRepository>();
        var migrated = Assert.Single(await repository.ListAllAsync([])).Obligation;
        Assert.Equal(("parties/dep-51", Status.Fulfilled), (migrated.Signatory, migrated.Status));
        Assert.Single(await repository.ClaimsAsync([ObligationIdentity.Of(migrated)]));
    }

    private static async Task DeleteRecordAsync(ObligationRepository repository)
    {
        var record = await repository.Store.GetAsync(ObligationRepository.Migrations, "identities");
        var batch = repository.Store.NewBatch();
        batch.Delete(ObligationRepository.Migrations, "identities", record!.Version);
        await batch.CommitAsync();
    }
}
