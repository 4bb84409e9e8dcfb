using System.Collections.Concurrent;
using System.Diagnostics;
using Ent.Partnership.Parties.V1;
using Ent.Partnership.Redis;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Storage;
using StackExchange.Redis;
using static Ent.Partnership.Benchmarks.Runner.Measures;

namespace Ent.Partnership.Benchmarks.Runner;

/// <summary>
/// Webhooks (SPEC section 12): 20 receivers on loopback, each with a webhook of the admin's for
/// <c>PartyCreated</c>; events written to the parties' stream as the parties service writes them. A burst of
/// 10,000 events for the deliveries per second (÷ the durable writes per second of the write path, measured
/// in the same run), 50 events per second for the latency from the event's write to its receiver, and a burst
/// with 20% of the answers failing: every event accepted by every receiver, none twice.
/// </summary>
public sealed class WebhookScenario(Suite suite, RunnerOptions options, Report report, double? durableWrites)
{
    private const int Receivers = 20;
    private const int Burst = 10_000;
    private const int FailingBurst = 2_000;

    public async Task RunAsync()
    {
        await using var receivers = await LoopbackReceivers.StartAsync(Receivers);
        using var connection = await ConnectionMultiplexer.ConnectAsync(await suite.RedisAsync());
        // The scenarios before wrote parties: their events are posted to no webhook once the service caught up.
        await CaughtUpAsync(connection.GetDatabase(), TimeSpan.FromMinutes(5));
        for (var i = 0; i < Receivers; i++)
        {
            await suite.PostAsync($"/v1/webhooks?webhookId=bench-{i:00}", new { url = receivers.Url(i), eventTypes = new[] { "PartyCreated" } });
        }

        try
        {
            var producer = new RedisDocumentStore(connection, new RedisStoreOptions("parties"));
            var rates = new List<double>();
            var latencies = new List<double>();
            for (var round = 0; round < options.Rounds; round++)
            {
                receivers.Reset(failureRate: 0);
                var clock = Stopwatch.StartNew();
                var ids = await PublishAsync(producer, Burst, perSecond: null, receivers);
                await receivers.AcceptedAsync(ids, TimeSpan.FromMinutes(10));
                rates.Add(Burst * Receivers / clock.Elapsed.TotalSeconds);

                receivers.Reset(failureRate: 0);
                ids = await PublishAsync(producer, 50 * options.Seconds, perSecond: 50, receivers);
                await receivers.AcceptedAsync(ids, TimeSpan.FromMinutes(2));
                latencies.AddRange(receivers.Latencies());
            }

            receivers.Reset(failureRate: 0.2);
            var failing = await PublishAsync(producer, FailingBurst, perSecond: null, receivers);
            await receivers.AcceptedAsync(failing, TimeSpan.FromMinutes(10));
            var (refused, twice) = (receivers.Refused, receivers.AcceptedTwice);

            var rate = Median(rates);
            var p99 = Percentile(latencies, 99);
            var ratio = durableWrites is { } writes ? rate / writes : double.NaN;
            report.Add(new Row("webhooks", $"{Burst:N0} events to {Receivers} loopback receivers: deliveries/s (each event's deliveries claimed and recorded in one write each) ÷ durable writes/s of the write path; p99 from the event's write to its receiver at 50 events/s; {FailingBurst:N0} events with 20% of the answers failing",
                durableWrites is { } w ? $"write path: {w:0}/s" : "write path not run",
                $"{Spread(rates, "0")} deliveries/s; p50 {Percentile(latencies, 50):0} ms, p99 {p99:0} ms; 20% failing: {refused} answers refused, all {FailingBurst * Receivers:N0} accepted, {twice} twice",
                double.IsNaN(ratio) ? "" : Ratio(ratio), "p99 < 250 ms; all delivered, none twice", p99 < 250 && twice == 0));
        }
        finally
        {
            for (var i = 0; i < Receivers; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Delete, $"/v1/webhooks/bench-{i:00}");
                request.Headers.Add("X-Api-Key", "dev-admin-key");
                using var response = await suite.Client.SendAsync(request);
            }
        }
    }

    /// <summary>Waits until the notifications service has handled every event of the parties' stream.</summary>
    private static async Task CaughtUpAsync(IDatabase redis, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while ((await redis.StreamGroupInfoAsync("parties:events")).FirstOrDefault(g => g.Name == "notifications") is not { PendingMessageCount: 0, Lag: 0 })
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"the notifications service did not catch up with the parties' events in {timeout}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Writes <paramref name="count"/> events as the parties service does, as fast as one producer can or paced; answers their ids.</summary>
    private static async Task<List<string>> PublishAsync(RedisDocumentStore producer, int count, int? perSecond, LoopbackReceivers receivers)
    {
        var ids = new List<string>(count);
        var paced = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var outgoing = OutgoingEvent.From(
                new PartyCreated { Party = new Party { Name = $"parties/p-webhook-{i}", Kind = Party.Types.Kind.EntProvider, DisplayName = "Prestataire de mesure" } },
                "/ent-partnership/parties", $"parties/p-webhook-{i}", TimeProvider.System, Readers.Everyone);
            receivers.Written(outgoing.Id);
            await producer.NewBatch().Publish(outgoing).CommitAsync();
            ids.Add(outgoing.Id);
            if (perSecond is { } rate && TimeSpan.FromSeconds((i + 1.0) / rate) - paced.Elapsed is { } wait && wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
        }

        return ids;
    }

    /// <summary>The receivers: one Kestrel on a loopback port, a path each; the first 2xx of each event per receiver, with its time.</summary>
    private sealed class LoopbackReceivers : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentDictionary<string, long> _written = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<(int Receiver, string Id), long> _accepted = new();
        private double _failureRate;
        private int _refused;
        private int _twice;

        private LoopbackReceivers(WebApplication app) => _app = app;

        public int Refused => _refused;

        public int AcceptedTwice => _twice;

        public static async Task<LoopbackReceivers> StartAsync(int count)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var receivers = new LoopbackReceivers(app);
            app.MapPost("/{receiver:int}", (int receiver, HttpRequest request) =>
            {
                var now = Stopwatch.GetTimestamp();
                if (Random.Shared.NextDouble() < receivers._failureRate)
                {
                    Interlocked.Increment(ref receivers._refused);
                    return Results.StatusCode(503);
                }

                var id = request.Headers["webhook-id"].ToString();
                if (receivers._written.ContainsKey(id) && !receivers._accepted.TryAdd((receiver, id), now))
                {
                    Interlocked.Increment(ref receivers._twice);
                }

                return Results.NoContent();
            });
            await app.StartAsync();
            return receivers;
        }

        public string Url(int receiver) => $"{_app.Urls.Single()}/{receiver}";

        public void Reset(double failureRate)
        {
            _written.Clear();
            _accepted.Clear();
            _failureRate = failureRate;
            _refused = 0;
        }

        public void Written(string id) => _written[id] = Stopwatch.GetTimestamp();

        /// <summary>Milliseconds from each event's write to each receiver's acceptance.</summary>
        public List<double> Latencies() =>
            _accepted.Where(a => _written.ContainsKey(a.Key.Id)).Select(a => Stopwatch.GetElapsedTime(_written[a.Key.Id], a.Value).TotalMilliseconds).ToList();

        public async Task AcceptedAsync(IReadOnlyList<string> ids, TimeSpan timeout)
        {
            var deadline = Stopwatch.StartNew();
            var expected = ids.Count * Receivers;
            // Only the events written since the reset are counted: counting is enough while waiting.
            while (_accepted.Count < expected)
            {
                if (deadline.Elapsed > timeout)
                {
                    throw new TimeoutException($"{_accepted.Count} of {expected} deliveries accepted in {timeout}");
                }

                await Task.Delay(20);
            }

            var missing = ids.Sum(id => Enumerable.Range(0, Receivers).Count(r => !_accepted.ContainsKey((r, id))));
            if (missing > 0)
            {
                throw new InvalidOperationException($"{missing} deliveries of these events never accepted");
            }
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
