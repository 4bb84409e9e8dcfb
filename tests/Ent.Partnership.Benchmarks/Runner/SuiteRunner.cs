using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Ent.Partnership.Benchmarks.Runner;

/// <summary>What to run: rounds per scenario, seconds per load run, the scenarios, the growth, where to write.</summary>
public sealed record RunnerOptions(int Rounds, int Seconds, IReadOnlySet<string> Only, int Growth, string? Output)
{
    public static readonly string[] Scenarios = ["hops", "console", "writes", "events", "webhooks", "report", "history", "fanout", "import", "clock", "charter"];

    public bool Runs(string scenario) => Only.Count == 0 || Only.Contains(scenario);

    /// <summary><c>--rounds 3 --seconds 8 --only hops,writes --growth 100 --output docs/benchmarks.md</c>.</summary>
    public static RunnerOptions Parse(string[] args)
    {
        var options = new RunnerOptions(3, 8, new HashSet<string>(), 10, null);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options = args[i] switch
            {
                "--rounds" => options with { Rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--seconds" => options with { Seconds = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--only" => options with { Only = args[i + 1].Split(',').ToHashSet() },
                "--growth" => options with { Growth = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--output" => options with { Output = args[i + 1] },
                _ => throw new ArgumentException($"unknown option {args[i]}; options: --rounds, --seconds, --only {string.Join(',', Scenarios)}, --growth 10|100, --output"),
            };
        }

        return options;
    }
}

/// <summary>
/// Starts the baselines and the suite, runs each scenario against its baseline, and writes the results into
/// <c>docs/benchmarks.md</c>. Needs wrk, redis-server and redis-benchmark; nginx when installed.
/// </summary>
public static class SuiteRunner
{
    public static async Task<int> RunAsync(RunnerOptions options)
    {
        foreach (var tool in new[] { "wrk", "redis-server", "redis-benchmark" }.Where(t => !Tools.Exists(t)))
        {
            Console.Error.WriteLine($"{tool} is missing: sudo apt-get install -y wrk redis-server nginx");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        var report = new Report();
        await using (var baseline = await BaselineProcess.StartAsync())
        await using (var redis = await RedisProcess.StartAsync())
        {
            Console.WriteLine("Starting the suite (Release)…");
            await using var suite = await Suite.StartAsync();
            var idle = Suite.Memory();
            report.Add(new Row("start", "from starting the AppHost to the gateway healthy, the console and the identity project healthy, and the reference data answered through the gateway",
                "—", $"gateway {suite.Healthy.TotalSeconds:0.0} s, console {suite.ConsoleHealthy.TotalSeconds:0.0} s, data {suite.Loaded.TotalSeconds:0.0} s", "", "< 30 s", suite.Loaded.TotalSeconds < 30));
            await RunAsync(report, options, "hops", () => new HopScenarios(suite, baseline, options, report).RunAsync());
            await RunAsync(report, options, "console", () => new ConsoleScenario(suite, options, report).RunAsync());
            var writes = new WriteScenarios(suite, redis, options, report);
            await RunAsync(report, options, "writes", writes.WritePathAsync);
            await RunAsync(report, options, "events", writes.EventsAsync);
            await RunAsync(report, options, "webhooks", () => new WebhookScenario(suite, options, report, writes.DurableWritesPerSecond).RunAsync());
            var partnership = new PartnershipScenarios(suite, options, report);
            await RunAsync(report, options, "report", partnership.ReportAsync);
            await RunAsync(report, options, "history", partnership.HistoryAsync);
            await RunAsync(report, options, "fanout", partnership.FanOutAsync);
            var loaded = Suite.Memory();
            await RunAsync(report, options, "import", partnership.ImportAndGrowthAsync);
            AddFootprint(report, idle, loaded);
        }

        // In this process, once the suite is stopped: they would share the two cores with it.
        await RunAsync(report, options, "clock", new ClockScenario(options, report).RunAsync);
        if (options.Runs("charter"))
        {
            AddCharterEngine(report);
        }

        var output = options.Output ?? Path.Combine(RepositoryRoot(), "docs", "benchmarks.md");
        report.WriteInto(output, "dotnet run -c Release --project tests/Ent.Partnership.Benchmarks -- suite " + string.Join(' ', Environment.GetCommandLineArgs().Skip(2)), clock.Elapsed);
        Console.WriteLine($"Written to {output} in {clock.Elapsed.TotalMinutes:0.0} min.");
        return 0;
    }

    /// <summary>Runs a scenario when asked for; a scenario that fails is reported as such and the others go on.</summary>
    private static async Task RunAsync(Report report, RunnerOptions options, string scenario, Func<Task> run)
    {
        if (!options.Runs(scenario))
        {
            return;
        }

        Console.WriteLine($"Scenario {scenario}…");
        try
        {
            await run();
        }
        catch (Exception exception) when (exception is InvalidOperationException or TimeoutException or HttpRequestException or IOException
            or Grpc.Core.RpcException or StackExchange.Redis.RedisException)
        {
            report.Note($"{scenario} failed: {exception.GetType().Name}: {exception.Message}");
        }
    }

    private static void AddFootprint(Report report, IReadOnlyDictionary<string, (double Now, double Peak)> idle, IReadOnlyDictionary<string, (double Now, double Peak)> loaded)
    {
        var services = Suite.Services.Where(idle.ContainsKey).ToList();
        var peak = services.Max(s => loaded.GetValueOrDefault(s, idle[s]).Peak);
        report.Add(new Row("footprint", "resident memory of each process, idle after start; peak under the load above (before the import)",
            "—", string.Join(", ", services.Select(s => $"{s} {idle[s].Now:0} / {loaded.GetValueOrDefault(s, idle[s]).Peak:0} MB")), "",
            "< 200 MB each", peak < 200));
    }

    /// <summary>The charter engine with BenchmarkDotNet, in this process (the suite is stopped by then).</summary>
    private static void AddCharterEngine(Report report)
    {
        var config = ManualConfig.CreateMinimumViable()
            .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance))
            .AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default)
            .AddFilter(new BenchmarkDotNet.Filters.NameFilter(name => name == nameof(CharterEngineBenchmarks.Check)));
        var summary = BenchmarkRunner.Run<CharterEngineBenchmarks>(config);
        var result = summary.Reports.Single();
        var median = result.ResultStatistics!.Median;
        var allocated = result.GcStats.GetBytesAllocatedPerOperation(result.BenchmarkCase) ?? 0;
        report.Add(new Row("charter engine", "checks per second on one core, 1,500-character message, the sample charter (BenchmarkDotNet, in process)",
            "—", $"{1e9 / median:0}/s (median {median / 1000:0.0} µs), {allocated / 1024.0:0.0} KB allocated per check", "", "≥ 20,000/s", 1e9 / median >= 20_000));
    }

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Ent.Partnership.sln")))
            {
                return directory.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
