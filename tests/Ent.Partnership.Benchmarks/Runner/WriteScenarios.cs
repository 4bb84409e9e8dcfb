using System.Collections.Concurrent;
using System.Diagnostics;
using Ent.Partnership.Parties.V1;
using Ent.Partnership.Redis;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using static Ent.Partnership.Benchmarks.Runner.Measures;

namespace Ent.Partnership.Benchmarks.Runner;

/// <summary>
/// Writes, each with fsync on every write: <c>CreateParty</c> through the gateway beside redis-benchmark SET
/// at the same concurrency; events from one producer through a consumer group to a handler beside raw XADD.
/// </summary>
public sealed class WriteScenarios(Suite suite, RedisProcess redis, RunnerOptions options, Report report)
{
    private const int Clients = 16;

    /// <summary>The median durable writes per second of <see cref="WritePathAsync"/>, once it ran: the webhooks' baseline.</summary>
    public double? DurableWritesPerSecond { get; private set; }

    /// <summary>Each wrk thread names its parties with its own number and a counter, so every body is new.</summary>
    private const string CreateScript = """
        local threads = 0
        function setup(thread)
          threads = threads + 1
          thread:set("id", threads)
        end
        local counter = 0
        function request()
          counter = counter + 1
          return wrk.format("POST", "/v1/parties", nil,
            '{"kind": "ENT_PROVIDER", "displayName": "Prestataire de mesure ' .. id .. '-' .. counter .. '"}')
        end
        """;

    public async Task WritePathAsync()
    {
        var script = Path.Combine(Path.GetTempPath(), $"ent-bench-create-{Environment.ProcessId}.lua");
        await File.WriteAllTextAsync(script, CreateScript);
        string[] headers = ["X-Api-Key: dev-admin-key", "Content-Type: application/json"];
        var url = new Uri(suite.Gateway, "/v1/parties").ToString();
        await Tools.WrkAsync(url, 2, 2, headers, script);
        List<double> setRates = [], setP99 = [], createRates = [], createP99 = [];
        for (var round = 0; round < options.Rounds; round++)
        {
            var (rate, p99) = await Tools.RedisBenchmarkAsync(redis.Port, Clients, 20_000, "-t", "set");
            setRates.Add(rate);
            setP99.Add(p99);
            var create = await Tools.WrkAsync(url, Clients, options.Seconds, headers, script);
            if (create.Non2xx > 0 || create.SocketErrors > 0)
            {
                throw new InvalidOperationException($"CreateParty: {create.Non2xx} answers not 2xx, {create.SocketErrors} socket errors");
            }

            createRates.Add(create.RequestsPerSecond);
            createP99.Add(create.P99);
        }

        File.Delete(script);
        DurableWritesPerSecond = Median(createRates);
        var ratio = Median(createRates) / Median(setRates);
        report.Add(new Row("write path", $"`CreateParty` through the gateway, {Clients} clients, fsync on every write ÷ redis-benchmark SET, `appendfsync always`",
            $"SET: {Spread(setRates, "0")}/s, p99 {Spread(setP99, "0.00")} ms",
            $"{Spread(createRates, "0")}/s, p99 {Spread(createP99, "0.0")} ms", Ratio(ratio), "≥ 0.3; p99 < 10 ms",
            ratio >= 0.3 && Median(createP99) < 10));
    }

    /// <summary>
    /// The suite's own event path (a write batch appending a CloudEvent, the consumer group, the handled-once
    /// bookkeeping) on the runner's redis-server: as many events as one producer can write, then a steady
    /// 200 per second for the latency from the write to the handler.
    /// </summary>
    public async Task EventsAsync()
    {
        const int Burst = 5_000;
        using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        List<double> xaddRates = [], rates = [];
        var latencies = new List<double>();
        for (var round = 0; round < options.Rounds; round++)
        {
            await connection.GetDatabase().ExecuteAsync("FLUSHALL");
            xaddRates.Add((await Tools.RedisBenchmarkAsync(redis.Port, 1, Burst, "XADD", "bench-stream", "*", "event", new string('x', 400))).RequestsPerSecond);
            await using var path = await EventPath.StartAsync(connection, $"round-{round}");
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < Burst; i++)
            {
                await path.PublishAsync();
            }

            await path.HandledAsync(Burst, TimeSpan.FromMinutes(2));
            rates.Add(Burst / clock.Elapsed.TotalSeconds);
            path.Latencies.Clear();
            var paced = Stopwatch.StartNew();
            for (var i = 0; i < 200 * options.Seconds; i++)
            {
                await path.PublishAsync();
                var next = TimeSpan.FromMilliseconds(5 * (i + 1)) - paced.Elapsed;
                if (next > TimeSpan.Zero)
                {
                    await Task.Delay(next);
                }
            }

            await path.HandledAsync(Burst + 200 * options.Seconds, TimeSpan.FromMinutes(1));
            latencies.AddRange(path.Latencies);
        }

        var ratio = Median(rates) / Median(xaddRates);
        var p99 = Percentile(latencies, 99);
        report.Add(new Row("events", "events/s from one producer (write batch + CloudEvent) through a consumer group to a handler ÷ raw XADD, one client, fsync always; p99 from write to handler at 200/s",
            $"XADD: {Spread(xaddRates, "0")}/s", $"{Spread(rates, "0")}/s; p50 {Percentile(latencies, 50):0.0} ms, p99 {p99:0.0} ms", Ratio(ratio),
            "≥ 0.2; p99 < 50 ms", ratio >= 0.2 && p99 < 50));
    }

    /// <summary>A producer's store and a consumer running in the background, counting what it handled.</summary>
    private sealed class EventPath : IEventHandler, IAsyncDisposable
    {
        private readonly RedisDocumentStore _store;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _consumer;
        private int _handled;

        private EventPath(IConnectionMultiplexer connection, string prefix)
        {
            _store = new RedisDocumentStore(connection, new RedisStoreOptions(prefix));
            var consumer = new EventConsumer(connection, new EventConsumerOptions(_store.StreamKey, prefix + "-consumer"), this, NullLogger<EventConsumer>.Instance);
            _consumer = Task.Run(() => consumer.RunAsync(_stop.Token));
        }

        public ConcurrentBag<double> Latencies { get; } = [];

        public static async Task<EventPath> StartAsync(IConnectionMultiplexer connection, string prefix)
        {
            var path = new EventPath(connection, prefix);
            await Task.Delay(100); // the group exists before the first event, as a running service's does
            return path;
        }

        public Task PublishAsync() => _store.NewBatch()
            .Publish(OutgoingEvent.From(new PartyCreated { Party = new Party { Name = "parties/p-benchmark", Kind = Party.Types.Kind.EntProvider, DisplayName = "Prestataire de mesure" } },
                "/parties", "parties/p-benchmark", TimeProvider.System, Readers.Everyone))
            .CommitAsync();

        public Task HandleAsync(ReceivedEvent received, CancellationToken cancellationToken)
        {
            Latencies.Add((DateTimeOffset.UtcNow - received.CloudEvent.Time!.Value).TotalMilliseconds);
            Interlocked.Increment(ref _handled);
            return Task.CompletedTask;
        }

        public async Task HandledAsync(int count, TimeSpan timeout)
        {
            var deadline = Stopwatch.StartNew();
            while (Volatile.Read(ref _handled) < count)
            {
                if (deadline.Elapsed > timeout)
                {
                    throw new TimeoutException($"{_handled} of {count} events handled in {timeout}");
                }

                await Task.Delay(1);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _consumer;
            _stop.Dispose();
        }
    }
}
