using BenchmarkDotNet.Running;
using Ent.Partnership.Benchmarks;
using Ent.Partnership.Benchmarks.Runner;

// dotnet run -c Release --project tests/Ent.Partnership.Benchmarks -- suite          the whole suite against its baselines
// dotnet run -c Release --project tests/Ent.Partnership.Benchmarks -- --filter '*'   the in-process benchmarks only
return args switch
{
    ["suite", .. var options] => await SuiteRunner.RunAsync(RunnerOptions.Parse(options)),
    ["baseline-server", var httpPort, var grpcPort] => await BaselineServer.RunAsync(int.Parse(httpPort), int.Parse(grpcPort)),
    _ => RunInProcess(args),
};

static int RunInProcess(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(CharterEngineBenchmarks).Assembly).Run(args);
    return 0;
}
