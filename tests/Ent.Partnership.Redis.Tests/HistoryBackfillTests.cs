using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Storage;
using Ent.Partnership.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ent.Partnership.Redis.Tests;

/// <summary>The events published before histories were kept get one, once, as the service starts.</summary>
public sealed class HistoryBackfillTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private readonly RedisDocumentStore _store = new(redis.Connection, new RedisStoreOptions("backfill-" + Guid.NewGuid().ToString("N")[..8]));

    /// <summary>An event as the services wrote it before actors and readers: a CloudEvent without extensions.</summary>
    private Task AppendEarlierAsync(string id, string subject, int value, DateTimeOffset time) =>
        redis.Connection.GetDatabase().StreamAddAsync(_store.StreamKey, [
            new("type", "ent.partnership.tests.v1.ThingChanged"),
            new("id", id),
            new("event", $$$"""{"specversion":"1.0","id":"{{{id}}}","source":"/tests","type":"ent.partnership.tests.v1.ThingChanged","subject":"{{{subject}}}","time":"{{{time:yyyy-MM-ddTHH:mm:ss.fffZ}}}","datacontenttype":"application/json","data":{"thing":"t","value":{{{value}}}}}"""),
        ]);

    private HistoryBackfill Backfill(Func<ReceivedEvent, Readers> readers) => new(
        _store, redis.Connection, new RedisOneAtATime(redis.Connection, new RedisStoreOptions("backfill"), NullLogger<RedisOneAtATime>.Instance),
        new EarlierEventReaders(readers), NullLogger<HistoryBackfill>.Instance);

    [Fact]
    public async Task EarlierEvents_JoinTheirHistory_WithoutActor_WithTheServicesReaders_Once()
    {
        var start = DateTimeOffset.UtcNow.AddDays(-3);
        await AppendEarlierAsync("e1", "things/t", 1, start);
        await AppendEarlierAsync("e2", "things/t/parts/p", 2, start.AddMinutes(1));
        await _store.NewBatch()
            .Publish(OutgoingEvent.From(new ThingChanged { Thing = "t", Value = 3 }, "/tests", "things/t", TimeProvider.System, Readers.Everyone))
            .CommitAsync();
        var onlyCea = Readers.Only(["parties/cea"], []);

        Assert.Equal(2, await Backfill(e => e.Id == "e2" ? onlyCea : Readers.Everyone).BackfillAsync());
        Assert.Equal(0, await Backfill(_ => Readers.Everyone).BackfillAsync());

        var cea = new Caller("parties/cea", new HashSet<string> { RoleNames.Collectivity }, null);
        var moselle = new Caller("parties/dep-57", new HashSet<string> { RoleNames.Collectivity }, null);
        var (history, _) = await EventHistory.ListAsync(_store, "things/t", r => r.Admits(cea), 10, "");
        Assert.Equal([("e1", null), ("e2", null), (history[2].Id, "service:tests")], history.Select(r => (r.Id, r.Actor?.Subject)));
        Assert.Equal(2, (await EventHistory.ListAsync(_store, "things/t", r => r.Admits(moselle), 10, "")).Records.Count);
    }
}
