using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Storage;
using Ent.Partnership.Tests.Support;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Ent.Partnership.Redis.Tests;

public sealed class EventConsumerTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private readonly RedisDocumentStore _producer = new(redis.Connection, new RedisStoreOptions("producer-" + Guid.NewGuid().ToString("N")[..8]));

    private IDatabase Db => redis.Connection.GetDatabase();

    private async Task<OutgoingEvent> PublishAsync(string thing, int value)
    {
        var outgoing = OutgoingEvent.From(new ThingChanged { Thing = thing, Value = value }, "/tests", thing, TimeProvider.System, Readers.Everyone);
        await _producer.NewBatch().Put("things", thing + value, 0, [1], []).Publish(outgoing).CommitAsync();
        return outgoing;
    }

    private EventConsumer Consumer(IEventHandler handler, string group, string name = "c1", int maxAttempts = 5) =>
        new(redis.Connection, new EventConsumerOptions(_producer.StreamKey, group)
        {
            Consumer = name,
            MaxAttempts = maxAttempts,
            ClaimIdleTime = TimeSpan.Zero,
        }, handler, NullLogger<EventConsumer>.Instance);

    [Fact]
    public async Task Consumer_CatchesUp_OnEventsWrittenBeforeItsGroupExisted()
    {
        var first = await PublishAsync("early", 1);
        var second = await PublishAsync("early", 2);
        var handler = new RecordingHandler();
        var consumer = Consumer(handler, "late-group");

        await consumer.EnsureGroupAsync();
        await consumer.PollAsync(CancellationToken.None);

        Assert.Equal([first.Id, second.Id], handler.Handled);
        Assert.Equal(0, (await Db.StreamPendingAsync(_producer.StreamKey, "late-group")).PendingMessageCount);
    }

    [Fact]
    public async Task Consumer_HandlesAnEventOnce_WhenItIsDeliveredTwice()
    {
        var outgoing = await PublishAsync("twice", 1);
        await Db.StreamAddAsync(_producer.StreamKey, [new NameValueEntry("type", outgoing.Type), new NameValueEntry("id", outgoing.Id), new NameValueEntry("event", outgoing.ToJson())]);
        var handler = new RecordingHandler();
        var consumer = Consumer(handler, "once-group");

        await consumer.EnsureGroupAsync();
        await consumer.PollAsync(CancellationToken.None);

        Assert.Equal(1, handler.Handled.Count(id => id == outgoing.Id));
    }

    [Fact]
    public async Task Consumer_ClaimsEntries_LeftPendingByADeadConsumer()
    {
        var outgoing = await PublishAsync("abandoned", 1);
        var survivor = new RecordingHandler();
        await Consumer(survivor, "claim-group").EnsureGroupAsync();
        // A consumer that read the entry and died before acknowledging it.
        await Db.StreamReadGroupAsync(_producer.StreamKey, "claim-group", "dead-consumer", StreamPosition.NewMessages);

        await Consumer(survivor, "claim-group", name: "survivor").PollAsync(CancellationToken.None);

        Assert.Contains(outgoing.Id, survivor.Handled);
        Assert.Equal(0, (await Db.StreamPendingAsync(_producer.StreamKey, "claim-group")).PendingMessageCount);
    }

    [Fact]
    public async Task Consumer_DeadLetters_AnEntryThatKeepsFailing()
    {
        var outgoing = await PublishAsync("poison", 1);
        var consumer = Consumer(new FailingHandler(), "dead-letter-group", maxAttempts: 3);
        await consumer.EnsureGroupAsync();

        for (var pass = 0; pass < 3; pass++)
        {
            await consumer.PollAsync(CancellationToken.None);
        }

        var dead = Assert.Single(await Db.StreamRangeAsync(consumer.Options.DeadLetterStream));
        Assert.Contains(outgoing.Id, dead["event"].ToString(), StringComparison.Ordinal);
        Assert.Equal(0, (await Db.StreamPendingAsync(_producer.StreamKey, "dead-letter-group")).PendingMessageCount);
    }

    [Fact]
    public async Task APoisonEvent_IsDeadLetteredAndCounted_WhileTheOthersAreHandled()
    {
        var before = await PublishAsync("healthy", 1);
        var poison = await PublishAsync("poison", 2);
        var after = await PublishAsync("healthy", 3);
        var handler = new RecordingHandler(fails: "poison");
        var consumer = Consumer(handler, "poison-group", maxAttempts: 3);
        await consumer.EnsureGroupAsync();
        using var deadLettered = new MeasurementRecorder("ent.partnership.events.dead_lettered", "poison-group");

        await consumer.PollAsync(CancellationToken.None);
        Assert.Equal([before.Id, after.Id], handler.Handled); // not held up behind the poison
        for (var pass = 1; pass < 3; pass++)
        {
            await consumer.PollAsync(CancellationToken.None);
        }

        var dead = Assert.Single(await Db.StreamRangeAsync(consumer.Options.DeadLetterStream));
        Assert.Contains(poison.Id, dead["event"].ToString(), StringComparison.Ordinal);
        Assert.Equal(1, deadLettered.Total);
        Assert.Equal([before.Id, after.Id], handler.Handled);
        Assert.Equal(0, (await Db.StreamPendingAsync(_producer.StreamKey, "poison-group")).PendingMessageCount);
    }

    [Fact]
    public async Task AServiceNotAnswering_DoesNotCountAgainstTheEvent_WhichIsHandledOnceItAnswers()
    {
        var outgoing = await PublishAsync("waiting", 1);
        var handler = new RecordingHandler(fails: "waiting", failure: () => new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "parties is restarting")), failures: 5);
        var consumer = Consumer(handler, "transient-group", maxAttempts: 2);
        await consumer.EnsureGroupAsync();

        for (var pass = 0; pass < 5; pass++)
        {
            await Assert.ThrowsAsync<RpcException>(() => consumer.PollAsync(CancellationToken.None));
        }

        await consumer.PollAsync(CancellationToken.None);

        Assert.Equal([outgoing.Id], handler.Handled);
        Assert.Equal(0, await Db.StreamLengthAsync(consumer.Options.DeadLetterStream));
        Assert.Equal(0, (await Db.StreamPendingAsync(_producer.StreamKey, "transient-group")).PendingMessageCount);
    }

    [Fact]
    public async Task IdleConsumer_IsWokenByTheWrite_NotByItsPollInterval()
    {
        var handler = new SignallingHandler();
        var consumer = new EventConsumer(redis.Connection, new EventConsumerOptions(_producer.StreamKey, "woken-group")
        {
            PollInterval = TimeSpan.FromMinutes(10),
        }, handler, NullLogger<EventConsumer>.Instance);
        using var stop = new CancellationTokenSource();
        var running = consumer.RunAsync(stop.Token);
        // Idle: its first pass found the stream empty (or only older events) and it waits for the next.
        await consumer.EnsureGroupAsync();
        await Task.Delay(200);

        var outgoing = await PublishAsync("announced", 1);

        Assert.Equal(outgoing.Id, await handler.First.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        await stop.CancelAsync();
        await running;
    }

    private sealed class SignallingHandler : IEventHandler
    {
        public TaskCompletionSource<string> First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task HandleAsync(ReceivedEvent received, CancellationToken cancellationToken)
        {
            if (received.Subject == "announced")
            {
                First.TrySetResult(received.Id);
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>Records what it handled; fails on the events of subject <c>fails</c>, <c>failures</c> times (always by default).</summary>
    private sealed class RecordingHandler(string? fails = null, Func<Exception>? failure = null, int failures = int.MaxValue) : IEventHandler
    {
        private readonly ConcurrentQueue<string> _handled = new();
        private int _failed;

        public IReadOnlyList<string> Handled => [.. _handled];

        public Task HandleAsync(ReceivedEvent received, CancellationToken cancellationToken)
        {
            if (received.Subject == fails && _failed++ < failures)
            {
                throw failure?.Invoke() ?? new InvalidOperationException("this event cannot be handled");
            }

            _handled.Enqueue(received.Id);
            return Task.CompletedTask;
        }
    }

    /// <summary>Adds up what an instrument of the suite's meter records for one consumer group.</summary>
    private sealed class MeasurementRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _total;

        public MeasurementRecorder(string instrument, string group)
        {
            _listener.InstrumentPublished = (published, listener) =>
            {
                if (published.Name == instrument)
                {
                    listener.EnableMeasurementEvents(published);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag is { Key: "messaging.consumer.group.name", Value: string name } && name == group)
                    {
                        Interlocked.Add(ref _total, value);
                    }
                }
            });
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public void Dispose() => _listener.Dispose();
    }

    private sealed class FailingHandler : IEventHandler
    {
        public Task HandleAsync(ReceivedEvent received, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("this handler always fails");
    }
}
