using Ent.Partnership.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Ent.Partnership.Redis;

/// <summary>
/// Gives the events a service published before histories were kept their place in them (SPEC section 10:
/// they show no actor): the service's stream read once from its start, a chunk at a time, each event that
/// names no actor written into the history of its subject, with the readers the service's rule gives it.
/// Recorded as done; one replica at a time. The Redis path only: the Dapr path cannot read its topics back.
/// </summary>
public sealed class HistoryBackfill(
    RedisDocumentStore store, IConnectionMultiplexer redis, IOneAtATime oneAtATime, EarlierEventReaders readers, ILogger<HistoryBackfill> logger)
    : BackgroundService
{
    private const string Done = "history";
    private const int Chunk = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await oneAtATime.RunAsync(nameof(HistoryBackfill), BackfillAsync, stoppingToken);
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "Writing the earlier events' history failed; it tries again");
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }

    /// <summary>Does the step unless it is recorded as done; returns how many events it gave a history.</summary>
    public async Task<int> BackfillAsync()
    {
        if (await store.GetAsync("migrations", Done) is not null)
        {
            return 0;
        }

        var written = 0;
        var db = redis.GetDatabase();
        RedisValue from = "-";
        while (true)
        {
            var entries = await db.StreamRangeAsync(store.StreamKey, from, "+", Chunk);
            if (entries.Length == 0)
            {
                break;
            }

            from = "(" + entries[^1].Id;
            var earlier = entries.Select(Read).OfType<ReceivedEvent>()
                .Where(e => e.Subject is { Length: > 0 } && e.Actor is null)
                .ToDictionary(e => EventHistory.IdOf(e), StringComparer.Ordinal);
            var kept = (await store.GetManyAsync(EventHistory.Collection, [.. earlier.Keys])).Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
            var batch = store.NewBatch();
            foreach (var (id, received) in earlier.Where(e => !kept.Contains(e.Key)))
            {
                batch.Put(EventHistory.Collection, id, 0, EventHistory.Serialize(received, readers.Of(received)), EventHistory.Terms(received.Subject!), listed: false);
            }

            if (batch.Count > 0)
            {
                await batch.CommitAsync();
                written += batch.Count;
            }

            if (entries.Length < Chunk)
            {
                break;
            }
        }

        await store.NewBatch().Put("migrations", Done, 0, [1], []).CommitAsync();
        logger.LogInformation("{Events} earlier events written into their history", written);
        return written;
    }

    private ReceivedEvent? Read(StreamEntry entry)
    {
        try
        {
            return new ReceivedEvent(entry.Id!, EventFormat.Parse(entry["event"]!));
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or System.Text.Json.JsonException)
        {
            logger.LogWarning("Event {Entry} cannot be read; it has no history", entry.Id);
            return null;
        }
    }
}
