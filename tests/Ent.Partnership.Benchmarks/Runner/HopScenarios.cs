using System.Diagnostics;
using Ent.Partnership.Benchmarks.V1;
using Ent.Partnership.Parties.V1;
using Grpc.Core;
using Grpc.Net.Client;
using static Ent.Partnership.Benchmarks.Runner.Measures;

namespace Ent.Partnership.Benchmarks.Runner;

/// <summary>
/// One hop: the same read (<c>GetParty</c> of the Région) straight to the parties service, through the
/// gateway (with an API key, and with a person's access token) and through nginx, beside a bare Kestrel endpoint; then over gRPC beside a bare echo. Each round
/// runs every variant once, in turn, so that drift in the machine hits them alike.
/// </summary>
public sealed class HopScenarios(Suite suite, BaselineProcess baseline, RunnerOptions options, Report report)
{
    private const string PartyPath = "/v1/parties/region-grand-est";
    private const int Connections = 16;

    public async Task RunAsync()
    {
        var direct = suite.Endpoint("parties", "http");
        var person = await suite.PersonTokenAsync("dev-admin");
        var variants = new Dictionary<string, Func<Task<(string Url, string[] Headers, IAsyncDisposable? Proxy)>>>
        {
            ["bare"] = () => Task.FromResult(($"http://127.0.0.1:{baseline.HttpPort}/hello", Array.Empty<string>(), (IAsyncDisposable?)null)),
            ["direct"] = () => Task.FromResult((new Uri(direct, PartyPath).ToString(), new[] { "Authorization: Bearer " + suite.AdminToken() }, (IAsyncDisposable?)null)),
            ["gateway"] = () => Task.FromResult((new Uri(suite.Gateway, PartyPath).ToString(), new[] { "X-Api-Key: dev-admin-key" }, (IAsyncDisposable?)null)),
            ["person"] = () => Task.FromResult((new Uri(suite.Gateway, PartyPath).ToString(), new[] { "Authorization: Bearer " + person }, (IAsyncDisposable?)null)),
        };
        if (NginxProcess.Installed)
        {
            variants["nginx"] = async () =>
            {
                var nginx = await NginxProcess.StartAsync(direct, suite.AdminToken());
                return ($"http://127.0.0.1:{nginx.Port}{PartyPath}", Array.Empty<string>(), nginx);
            };
        }
        else
        {
            report.Note("nginx is not installed (`sudo apt-get install -y nginx`): its rows are left out.");
        }

        var throughput = variants.Keys.ToDictionary(k => k, _ => new List<double>());
        var latency = variants.Keys.ToDictionary(k => k, _ => new List<double>());
        foreach (var (name, start) in variants)
        {
            await MeasureAsync(start, 1, 2); // warm-up: JIT, connection pools, caches
        }

        for (var round = 0; round < options.Rounds; round++)
        {
            foreach (var (name, start) in variants)
            {
                throughput[name].Add((await MeasureAsync(start, Connections, options.Seconds)).RequestsPerSecond);
                latency[name].Add((await MeasureAsync(start, 1, options.Seconds)).P50 * 1000);
            }
        }

        var directRate = Median(throughput["direct"]);
        var directLatency = Median(latency["direct"]);
        report.Add(new Row("gateway overhead", $"REST `GetParty`, {Connections} connections, requests/s through the gateway ÷ straight to the service",
            $"straight: {Spread(throughput["direct"], "0")}/s; bare Kestrel: {Spread(throughput["bare"], "0")}/s",
            $"gateway: {Spread(throughput["gateway"], "0")}/s", Ratio(Median(throughput["gateway"]) / directRate), "≥ 0.5",
            Median(throughput["gateway"]) / directRate >= 0.5));
        report.Add(new Row("gateway latency", "one connection, p50 added by the hop",
            $"straight: {Spread(latency["direct"], "0")} µs; bare Kestrel: {Spread(latency["bare"], "0")} µs",
            $"gateway: {Spread(latency["gateway"], "0")} µs, +{Median(latency["gateway"]) - directLatency:0} µs", "",
            "≤ +150 µs", Median(latency["gateway"]) - directLatency <= 150));
        var personRatio = Median(throughput["person"]) / Median(throughput["gateway"]);
        report.Add(new Row("person tokens", $"the same read through the gateway, {Connections} connections, with a person's access token (ES256, checked once then remembered until it expires) ÷ with an API key",
            $"API key: {Spread(throughput["gateway"], "0")}/s", $"person: {Spread(throughput["person"], "0")}/s", Ratio(personRatio), "≥ 0.9", personRatio >= 0.9));
        if (throughput.TryGetValue("nginx", out var nginxRates))
        {
            report.Add(new Row("nginx in front (baseline)", "the same two measures through nginx",
                $"straight: {Spread(throughput["direct"], "0")}/s, {directLatency:0} µs",
                $"nginx: {Spread(nginxRates, "0")}/s, +{Median(latency["nginx"]) - directLatency:0} µs",
                Ratio(Median(nginxRates) / directRate), "", null));
        }

        await GrpcAsync();
    }

    private static async Task<WrkResult> MeasureAsync(Func<Task<(string Url, string[] Headers, IAsyncDisposable? Proxy)>> start, int connections, int seconds)
    {
        var (url, headers, proxy) = await start();
        try
        {
            var result = await Tools.WrkAsync(url, connections, seconds, headers);
            if (result.Non2xx > 0 || result.SocketErrors > 0)
            {
                throw new InvalidOperationException($"{url}: {result.Non2xx} answers not 2xx, {result.SocketErrors} socket errors");
            }

            return result;
        }
        finally
        {
            if (proxy is not null)
            {
                await proxy.DisposeAsync();
            }
        }
    }

    /// <summary><c>GetParty</c> over gRPC, callers sharing one HTTP/2 connection, ÷ the bare echo.</summary>
    private async Task GrpcAsync()
    {
        using var echoChannel = GrpcChannel.ForAddress($"http://127.0.0.1:{baseline.GrpcPort}");
        using var partiesChannel = GrpcChannel.ForAddress(suite.Endpoint("parties", "grpc"));
        var echo = new Echo.EchoClient(echoChannel);
        var parties = new Parties.V1.Parties.PartiesClient(partiesChannel);
        var message = new EchoMessage { Name = "parties/region-grand-est", DisplayName = "Région Grand Est" };
        var request = new GetPartyRequest { Name = "parties/region-grand-est" };
        Func<Task> echoCall = async () => await echo.SayAsync(message);
        // A token lives two minutes: one per measure, as a client caches its own.
        Func<Task> PartyCall()
        {
            var headers = new Metadata { { "authorization", "Bearer " + suite.AdminToken() } };
            return async () => await parties.GetPartyAsync(request, headers);
        }

        await CallsPerSecondAsync(echoCall, Connections, TimeSpan.FromSeconds(2));
        await CallsPerSecondAsync(PartyCall(), Connections, TimeSpan.FromSeconds(2));
        List<double> echoRates = [], partyRates = [];
        for (var round = 0; round < options.Rounds; round++)
        {
            echoRates.Add(await CallsPerSecondAsync(echoCall, Connections, TimeSpan.FromSeconds(options.Seconds)));
            partyRates.Add(await CallsPerSecondAsync(PartyCall(), Connections, TimeSpan.FromSeconds(options.Seconds)));
        }

        var ratio = Median(partyRates) / Median(echoRates);
        report.Add(new Row("gRPC read", $"`GetParty` over gRPC, {Connections} concurrent callers, calls/s ÷ a bare gRPC echo",
            $"echo: {Spread(echoRates, "0")}/s", $"{Spread(partyRates, "0")}/s", Ratio(ratio), "≥ 0.5", ratio >= 0.5));
    }

    /// <summary>Calls per second that <paramref name="callers"/> concurrent callers sustain, each waiting for its answer.</summary>
    public static async Task<double> CallsPerSecondAsync(Func<Task> call, int callers, TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            var calls = 0L;
            while (clock.Elapsed < duration)
            {
                await call();
                calls++;
            }

            return calls;
        }));
        return counts.Sum() / clock.Elapsed.TotalSeconds;
    }
}
