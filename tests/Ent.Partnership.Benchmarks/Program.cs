using BenchmarkDotNet.Running;

// In-process benchmarks of the suite's hot code: dotnet run -c Release --project tests/Ent.Partnership.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Ent.Partnership.Benchmarks.CharterEngineBenchmarks).Assembly).Run(args);
