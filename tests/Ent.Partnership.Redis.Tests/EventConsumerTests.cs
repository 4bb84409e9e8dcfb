using System.Collections.Concurrent;
using Ent.Partnership.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Ent.Partnership.Redis.Tests;

public sealed class EventConsumerTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private readonly DocumentStore _producer = new(redis.Connection, new RedisStoreOptions("producer-" + Guid.NewGuid().ToString("N")[..8]));

    private IDatabase Db => redis.Connection.GetDatabase();

    private async Task<OutgoingEvent> PublishAsync(string thing, int value)
    {
        var outgoing = OutgoingEvent.From(new ThingChanged { Thing = thing, Value = value }, "/tests", thing, TimeProvider.System);
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

    private sealed class RecordingHandler : IEventHandler
    {
        private readonly ConcurrentQueue<string> _handled = new();

        public IReadOnlyList<string> Handled => [.. _handled];

        public Task HandleAsync(ReceivedEvent received, CancellationToken cancellationToken)
        {
            _handled.Enqueue(received.Id);
            return Task.CompletedTask;
        }
    }

    private sealed class FailingHandler : IEventHandler
    {
        public Task HandleAsync(ReceivedEvent received, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("this handler always fails");
    }
}
