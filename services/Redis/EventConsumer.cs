using System.Diagnostics;
using System.Diagnostics.Metrics;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Ent.Partnership.Redis;

/// <summary>Where a consumer reads and how it retries.</summary>
public sealed record EventConsumerOptions(string Stream, string Group)
{
    /// <summary>This process's name within the group.</summary>
    public string Consumer { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    public int BatchSize { get; init; } = 50;

    /// <summary>After this many failed deliveries an entry goes to the dead-letter stream.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>An entry pending this long (its consumer died, or it failed) is claimed and tried again.</summary>
    public TimeSpan ClaimIdleTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long to wait before reading again when the stream had nothing new, at most: a write that appends
    /// events also announces them on the stream's channel, which wakes the consumer at once.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long an event id is remembered as handled.</summary>
    public TimeSpan HandledMemory { get; init; } = TimeSpan.FromDays(30);

    /// <summary>The consumer's own keys live under its group's name, the consuming service's prefix.</summary>
    public string DeadLetterStream => $"{Group}:dead-letter";

    internal string HandledKey(string eventId) => $"{Group}:handled:{eventId}";

    internal string AttemptsKey => $"{Group}:attempts:{Stream}";
}

/// <summary>
/// Reads a stream through a consumer group created at the stream's start, so a consumer that starts late
/// catches up; acknowledges each entry after its handler succeeds; skips events already handled (by id);
/// claims entries left pending by a dead consumer; dead-letters an entry that keeps failing, with a log and
/// the <c>ent.partnership.events.dead_lettered</c> metric. A failure that says "not now" (Redis or a service
/// the handler calls not answering) does not count against the entry: it waits, pending, and is tried again.
/// The round trips of a batch are pipelined: one for the handled-already checks, one for the acknowledgements.
/// </summary>
public sealed class EventConsumer(
    IConnectionMultiplexer redis, EventConsumerOptions options, IEventHandler handler, ILogger<EventConsumer> logger, ErrorTranslation? errors = null)
{
    private static readonly ActivitySource Activities = new(ServiceDefaultsExtensions.ActivitySourceName);

    private static readonly Meter Meter = new(ServiceDefaultsExtensions.ActivitySourceName);

    private static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>(
        "ent.partnership.events.dead_lettered", "{event}", "Events moved to a dead-letter stream after their retries");

    private readonly ErrorTranslation _errors = errors ?? new ErrorTranslation([new RedisErrorTranslator()]);

    private readonly SemaphoreSlim _announced = new(0, 1);

    /// <summary>Set when an entry of this consumer's was left pending: the next pass reads its own pending entries first.</summary>
    private bool _ownPending = true;

    private IDatabase Db => redis.GetDatabase();

    public EventConsumerOptions Options => options;

    public async Task EnsureGroupAsync()
    {
        try
        {
            await Db.StreamCreateConsumerGroupAsync(options.Stream, options.Group, StreamPosition.Beginning, createStream: true);
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // The group exists: it remembers where this service got to.
        }
    }

    /// <summary>One pass: entries abandoned by others first, then new ones. Returns how many were processed.</summary>
    public async Task<int> PollAsync(CancellationToken cancellationToken)
    {
        var claimed = await Db.StreamAutoClaimAsync(
            options.Stream, options.Group, options.Consumer, (long)options.ClaimIdleTime.TotalMilliseconds, "0-0", options.BatchSize);
        var own = _ownPending ? await Db.StreamReadGroupAsync(options.Stream, options.Group, options.Consumer, StreamPosition.Beginning, options.BatchSize) : [];
        _ownPending = false;
        var entries = claimed.ClaimedEntries
            .Concat(own)
            .Concat(await Db.StreamReadGroupAsync(options.Stream, options.Group, options.Consumer, StreamPosition.NewMessages, options.BatchSize))
            .DistinctBy(entry => entry.Id)
            .ToList();
        var handled = await Task.WhenAll(entries.Select(entry => Db.KeyExistsAsync(options.HandledKey(EventId(entry)))));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var acknowledgements = new List<Task>();
        for (var i = 0; i < entries.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // An event written twice (a producer's retry) is handled once, even within one batch.
            acknowledgements.Add(handled[i] || !seen.Add(EventId(entries[i]))
                ? Db.StreamAcknowledgeAsync(options.Stream, options.Group, entries[i].Id)
                : await ProcessAsync(entries[i], cancellationToken));
        }

        await Task.WhenAll(acknowledgements);
        return entries.Count;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var channel = await UntilRedisAnswersAsync(async () =>
        {
            await EnsureGroupAsync();
            return await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(options.Stream));
        }, cancellationToken);
        channel.OnMessage(_ =>
        {
            if (_announced.CurrentCount == 0)
            {
                try
                {
                    _announced.Release();
                }
                catch (SemaphoreFullException)
                {
                    // Announced already.
                }
            }
        });
        try
        {
            await ConsumeAsync(cancellationToken);
        }
        finally
        {
            await channel.UnsubscribeAsync(CommandFlags.FireAndForget);
        }
    }

    private async Task ConsumeAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (await PollAsync(cancellationToken) == 0)
                {
                    await _announced.WaitAsync(options.PollInterval, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (_errors.IsTransient(exception))
            {
                _ownPending = true;
                logger.LogWarning(exception, "Consuming {Stream} for {Group} failed for now; trying again in a second", options.Stream, options.Group);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    /// <summary>Runs <paramref name="step"/> until Redis answers it: a consumer starting while Redis restarts waits for it.</summary>
    private async Task<T> UntilRedisAnswersAsync<T>(Func<Task<T>> step, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await step();
            }
            catch (Exception exception) when (_errors.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Joining {Group} on {Stream} failed for now; trying again in a second", options.Group, options.Stream);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    /// <summary>The event's id as the producer wrote it beside the event, so the handled-already check needs no parsing.</summary>
    private static string EventId(StreamEntry entry) => entry["id"].IsNullOrEmpty ? entry.Id.ToString() : entry["id"].ToString();

    /// <summary>Handles one entry; returns its acknowledgement under way (sent, not awaited), or a completed task when it failed.</summary>
    private async Task<Task> ProcessAsync(StreamEntry entry, CancellationToken cancellationToken)
    {
        ReceivedEvent received;
        try
        {
            received = new ReceivedEvent(entry.Id!, EventFormat.Parse(entry["event"]!));
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or System.Text.Json.JsonException)
        {
            await DeadLetterAsync(entry, "unreadable event: " + exception.Message);
            return Task.CompletedTask;
        }

        using var activity = received.StartHandling(Activities, "redis", options.Stream, options.Group);
        using var acting = received.Handling();
        try
        {
            await handler.HandleAsync(received, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException && !_errors.IsTransient(exception))
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            var attempts = await Db.HashIncrementAsync(options.AttemptsKey, entry.Id);
            logger.LogWarning(exception, "Handling {EventType} {EventId} failed (attempt {Attempt})", received.Type, received.Id, attempts);
            if (attempts >= options.MaxAttempts)
            {
                await DeadLetterAsync(entry, exception.Message);
            }

            return Task.CompletedTask;
        }

        var transaction = Db.CreateTransaction();
        _ = transaction.StringSetAsync(options.HandledKey(received.Id), 1, options.HandledMemory);
        _ = transaction.StreamAcknowledgeAsync(options.Stream, options.Group, entry.Id);
        _ = transaction.HashDeleteAsync(options.AttemptsKey, entry.Id);
        return transaction.ExecuteAsync();
    }

    private async Task DeadLetterAsync(StreamEntry entry, string reason)
    {
        logger.LogError("Entry {EntryId} of {Stream} moved to {DeadLetterStream}: {Reason}", entry.Id, options.Stream, options.DeadLetterStream, reason);
        DeadLettered.Add(1, new KeyValuePair<string, object?>("messaging.destination.name", options.Stream), new KeyValuePair<string, object?>("messaging.consumer.group.name", options.Group));
        var transaction = Db.CreateTransaction();
        _ = transaction.StreamAddAsync(options.DeadLetterStream,
        [
            new NameValueEntry("stream", options.Stream),
            new NameValueEntry("entry", entry.Id),
            new NameValueEntry("event", entry["event"]),
            new NameValueEntry("reason", reason),
        ]);
        _ = transaction.StreamAcknowledgeAsync(options.Stream, options.Group, entry.Id);
        _ = transaction.HashDeleteAsync(options.AttemptsKey, entry.Id);
        await transaction.ExecuteAsync();
    }
}

/// <summary>Runs an <see cref="EventConsumer"/> for the life of the host.</summary>
public sealed class EventConsumerService(EventConsumer consumer) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => consumer.RunAsync(stoppingToken);
}
