extern alias obligations;
extern alias parties;

using System.Diagnostics;
using Grpc.Net.ClientFactory;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using ObligationCatalog = obligations::Ent.Partnership.Obligations.Application.ObligationCatalog;
using ObligationClock = obligations::Ent.Partnership.Obligations.Application.ObligationClock;
using ObligationRepository = obligations::Ent.Partnership.Obligations.Storage.ObligationRepository;
using ObligationsService = obligations::Ent.Partnership.Obligations.Grpc.ObligationsService;
using PartiesClient = Ent.Partnership.Parties.V1.Parties.PartiesClient;
using PartiesService = parties::Ent.Partnership.Parties.Grpc.PartiesService;
using RegisterMigration = obligations::Ent.Partnership.Obligations.Application.RegisterMigration;
using Agreement = obligations::Ent.Partnership.Conventions.V1;

namespace Ent.Partnership.Benchmarks.Runner;

/// <summary>
/// The obligations clock's tick over 1,000 conventions in force, in this process: the obligations service and
/// the parties service (its successions) hosted in memory over a redis-server with the suite's persistence.
/// The baseline is the least a tick must do: read every obligation once.
/// </summary>
public sealed class ClockScenario(RunnerOptions options, Report report)
{
    private const int Conventions = 1000;
    private const string SigningKey = "benchmark-signing-key-of-at-least-32-bytes-long";

    public async Task RunAsync()
    {
        await using var redis = await RedisProcess.StartAsync();
        await using var partiesHost = new WebApplicationFactory<PartiesService>().WithWebHostBuilder(builder =>
        {
            builder.UseContentRoot(Path.Combine(SuiteRunner.RepositoryRoot(), "services", "Parties"));
            builder.UseSetting("ConnectionStrings:redis", redis.ConnectionString);
            builder.UseSetting("InternalToken:SigningKey", SigningKey);
        });
        await using var obligationsHost = new WebApplicationFactory<ObligationsService>().WithWebHostBuilder(builder =>
        {
            builder.UseContentRoot(Path.Combine(SuiteRunner.RepositoryRoot(), "services", "Obligations"));
            builder.UseSetting("ConnectionStrings:redis", redis.ConnectionString);
            builder.UseSetting("InternalToken:SigningKey", SigningKey);
            builder.UseSetting("Seed:Evidence", "false");
            // The hosted clock ticks once at start, on an empty register; the scenario calls the ticks it measures.
            builder.UseSetting("Clock:Interval", "01:00:00");
            builder.ConfigureTestServices(services =>
            {
                services.AddHttpClient(nameof(PartiesClient)).ConfigurePrimaryHttpMessageHandler(() => partiesHost.Server.CreateHandler());
                services.Configure<GrpcClientFactoryOptions>(nameof(PartiesClient), o => o.Address = partiesHost.Server.BaseAddress);
            });
        });
        var services = obligationsHost.Services;
        await services.GetRequiredService<RegisterMigration>().Ready.WaitAsync(TimeSpan.FromMinutes(1));
        await WaitForPartiesAsync(services.GetRequiredService<PartiesClient>());

        var catalog = services.GetRequiredService<ObligationCatalog>();
        foreach (var convention in Enumerable.Range(0, Conventions).Select(InForce))
        {
            await catalog.KeepConventionAsync(convention, inForce: true);
            await catalog.ReconcileAsync(convention, DateOnly.MinValue, "Entrée en vigueur");
        }

        var repository = services.GetRequiredService<ObligationRepository>();
        var clock = services.GetRequiredService<ObligationClock>();
        var obligations = (await repository.ListAllAsync([])).Count;
        await clock.TickAsync();
        var reads = new List<double>();
        var ticks = new List<double>();
        for (var round = 0; round < Math.Max(3, options.Rounds); round++)
        {
            reads.Add(await TimeAsync(() => repository.ListAllAsync([])));
            ticks.Add(await TimeAsync(clock.TickAsync));
        }

        var tick = Measures.Median(ticks);
        report.Add(new Row("obligations clock", $"one tick over {Conventions} conventions in force ({obligations} obligations) ÷ reading every obligation once",
            $"read: {Measures.Spread(reads, "0.00", " s")}", $"tick: {Measures.Spread(ticks, "0.00", " s")}", Measures.Ratio(tick / Measures.Median(reads)),
            "< 10 s (a tick every 10 s)", tick < 10));
    }

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        await action();
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>The parties service loads the Grand Est parties as it starts.</summary>
    private static async Task WaitForPartiesAsync(PartiesClient parties)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            try
            {
                await parties.GetPartyAsync(new Ent.Partnership.Parties.V1.GetPartyRequest { Name = "parties/dep-52" }, cancellationToken: timeout.Token);
                return;
            }
            catch (Grpc.Core.RpcException exception) when (exception.StatusCode is Grpc.Core.StatusCode.NotFound or Grpc.Core.StatusCode.Unavailable)
            {
                await Task.Delay(200, timeout.Token);
            }
        }
    }

    /// <summary>A convention of an académie and two Départements, in force since 2025: training for the académie, financing for each Département.</summary>
    private static Agreement.Convention InForce(int number) => new()
    {
        Name = $"conventions/bench-{number}",
        Revision = 1,
        State = Agreement.Convention.Types.State.InForce,
        EffectiveDate = "2025-09-01",
        Signatories =
        {
            new Agreement.Signatory { Party = "parties/aca-reims", Role = Agreement.Signatory.Types.Role.AcademicAuthority },
            new Agreement.Signatory { Party = "parties/dep-51", Role = Agreement.Signatory.Types.Role.Collectivity },
            new Agreement.Signatory { Party = "parties/dep-52", Role = Agreement.Signatory.Types.Role.Collectivity },
        },
        Articles =
        {
            new Agreement.Article { Number = "4", Clauses = { Clause("training", Agreement.Signatory.Types.Role.AcademicAuthority, Agreement.ObligationClause.Types.Kind.Training, Agreement.ObligationClause.Types.Metric.Sessions, 6) } },
            new Agreement.Article { Number = "6", Clauses = { Clause("financing", Agreement.Signatory.Types.Role.Collectivity, Agreement.ObligationClause.Types.Kind.Financing, Agreement.ObligationClause.Types.Metric.AmountCents, 500_000) } },
        },
    };

    private static Agreement.Clause Clause(string id, Agreement.Signatory.Types.Role role, Agreement.ObligationClause.Types.Kind kind, Agreement.ObligationClause.Types.Metric metric, long target) => new()
    {
        Obligation = new Agreement.ObligationClause { ClauseId = id, ObligorRole = role, Kind = kind, Metric = metric, Target = target, Recurrence = Agreement.ObligationClause.Types.Recurrence.PerSchoolYear },
    };
}
