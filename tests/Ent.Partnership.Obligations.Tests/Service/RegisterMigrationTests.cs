using Ent.Partnership.Conventions.V1;
using Ent.Partnership.Obligations.Application;
using Ent.Partnership.Obligations.Domain;
using Ent.Partnership.Obligations.Grpc;
using Ent.Partnership.Obligations.Storage;
using Ent.Partnership.Obligations.V1;
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
/// live obligation per period after each amendment) brought up to date on a real redis-server.
/// </summary>
public sealed class RegisterMigrationTests : IAsyncLifetime
{
    private readonly Ent.Partnership.Tests.Support.RedisServer _redis = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
    private WebApplicationFactory<ObligationsService> _service = null!;

    private ObligationRepository Repository => _service.Services.GetRequiredService<ObligationRepository>();

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _service = new WebApplicationFactory<ObligationsService>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("ConnectionStrings:redis", _redis.ConnectionString);
            builder.UseSetting("InternalToken:SigningKey", "in-memory-tests-signing-key-of-at-least-32-bytes");
            builder.UseSetting("Seed:Evidence", "false");
            builder.UseSetting("Clock:Interval", "01:00:00");
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_time));
        });
        await _service.Services.GetRequiredService<RegisterMigration>().Ready.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _redis.DisposeAsync();
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
    public async Task DuplicatesOfTheOldPlanner_AreSuperseded_KeepingTheOneWithEvidenceElseTheOldest_AndTheStepIsANoOpTheSecondTime()
    {
        var closedYear = Old(1, "parties/aca-reims", "2025-09-01", 2025, Status.Breached);
        var closedYearWithEvidence = Old(2, "parties/aca-reims", "2025-09-01", 2026, Status.Breached);
        var runningYear = Old(1, "parties/aca-reims", "2026-09-01", 2025, Status.OnTrack);
        var runningYearAgain = Old(2, "parties/aca-reims", "2026-09-01", 2026, Status.OnTrack);
        var otherSlot = new[] { Old(1, "parties/dep-51", "2025-09-01", 2025, Status.Breached), Old(1, "parties/dep-51", "2026-09-01", 2025, Status.OnTrack) };
        await Repository.KeepConventionAsync(Convention(2), inForce: true);
        var batch = Repository.Store.NewBatch();
        foreach (var obligation in otherSlot.Concat([closedYear, closedYearWithEvidence, runningYear, runningYearAgain]))
        {
            Repository.Put(batch, obligation, 0);
        }

        Repository.PutEvidence(batch, new Evidence { Name = closedYearWithEvidence.Name + "/evidence/e-1", TrainingSession = new TrainingSession { HeldOn = "2025-10-01" } });
        var marker = await Repository.Store.GetAsync(ObligationRepository.Migrations, "identities");
        batch.Delete(ObligationRepository.Migrations, "identities", marker!.Version);
        await batch.CommitAsync();
        var migration = _service.Services.GetRequiredService<RegisterMigration>();

        var written = await migration.MigrateAsync();
        var after = (await Repository.ListAllAsync([])).ToDictionary(s => s.Obligation.Name, s => s);
        var again = await migration.MigrateAsync();

        Assert.Equal(6 + 4, written); // each obligation given its slot, and a claim for each of the four identities
        Assert.Equal((Status.Superseded, closedYearWithEvidence.Name), (after[closedYear.Name].Obligation.Status, after[closedYear.Name].Obligation.SupersededBy));
        Assert.Equal((Status.Superseded, runningYear.Name), (after[runningYearAgain.Name].Obligation.Status, after[runningYearAgain.Name].Obligation.SupersededBy));
        Assert.Equal([Status.Breached, Status.OnTrack], new[] { closedYearWithEvidence, runningYear }.Select(o => after[o.Name].Obligation.Status));
        Assert.Equal(
            ["parties/aca-reims", "parties/aca-reims", "parties/aca-reims", "parties/aca-reims", "parties/dep-51", "parties/dep-51"],
            after.Values.Select(s => s.Obligation.Signatory).Order());
        Assert.Equal(0, again);
        Assert.Equal(after.Values.Select(s => s.Version), (await Repository.ListAllAsync([])).Select(s => s.Version));

        // Planning the same revision again (the old clock's bug) now makes nothing.
        var catalog = _service.Services.GetRequiredService<ObligationCatalog>();
        Assert.Equal(0, await catalog.ReconcileAsync(Convention(3), catalog.Today, "Révision 3"));
        Assert.Equal(6, (await Repository.ListAllAsync([])).Count);
    }

    [Fact]
    public async Task TheStepRunAgainWithoutItsRecord_WritesNothing()
    {
        var batch = Repository.Store.NewBatch();
        Repository.Put(batch, Old(1, "parties/aca-reims", "2026-09-01", 2025, Status.OnTrack), 0);
        var marker = await Repository.Store.GetAsync(ObligationRepository.Migrations, "identities");
        batch.Delete(ObligationRepository.Migrations, "identities", marker!.Version);
        await batch.CommitAsync();
        var migration = _service.Services.GetRequiredService<RegisterMigration>();
        Assert.Equal(2, await migration.MigrateAsync());
        var deleteMarker = Repository.Store.NewBatch();
        deleteMarker.Delete(ObligationRepository.Migrations, "identities", (await Repository.Store.GetAsync(ObligationRepository.Migrations, "identities"))!.Version);
        await deleteMarker.CommitAsync();

        Assert.Equal(0, await migration.MigrateAsync());
    }
}
