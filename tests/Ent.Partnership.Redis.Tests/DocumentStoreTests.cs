using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.Tests.Support;
using Google.Protobuf;

namespace Ent.Partnership.Redis.Tests;

public sealed class DocumentStoreTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private readonly RedisDocumentStore _store = new(redis.Connection, new RedisStoreOptions("test-" + Guid.NewGuid().ToString("N")[..8]));

    private long StreamLength() => redis.Connection.GetDatabase().StreamLength(_store.StreamKey);

    private OutgoingEvent Changed(string thing, int value) =>
        OutgoingEvent.From(new ThingChanged { Thing = thing, Value = value }, "/tests", "things/" + thing, TimeProvider.System);

    private static byte[] Bytes(string thing, int value) => new ThingChanged { Thing = thing, Value = value }.ToByteArray();

    [Fact]
    public async Task Commit_WritesTheDocumentAndItsEvent_Together()
    {
        var result = await _store.NewBatch()
            .Put("things", "a", 0, Bytes("a", 1), [new IndexTerm("colour", "red")])
            .Publish(Changed("a", 1))
            .CommitAsync();

        Assert.Equal([1L], result.Versions);
        var document = await _store.GetAsync("things", "a");
        Assert.NotNull(document);
        Assert.Equal("v1", document.Etag);
        var entry = Assert.Single(await redis.Connection.GetDatabase().StreamRangeAsync(_store.StreamKey));
        var received = new ReceivedEvent(entry.Id!, EventFormat.Parse(entry["event"]!));
        Assert.Equal("ent.partnership.tests.v1.ThingChanged", received.Type);
        Assert.Equal(1, received.DataAs(ThingChanged.Parser).Value);
    }

    [Fact]
    public async Task Commit_WritesNeitherDocumentNorEvent_WhenAVersionIsStale()
    {
        await _store.NewBatch().Put("things", "b", 0, Bytes("b", 1), []).Publish(Changed("b", 1)).CommitAsync();

        var stale = _store.NewBatch()
            .Put("things", "other", 0, Bytes("other", 1), [])
            .Put("things", "b", 0, Bytes("b", 2), [])
            .Publish(Changed("b", 2));

        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(stale.CommitAsync);
        Assert.Equal("things/b", conflict.ResourceName);
        Assert.Equal(1, StreamLength());
        Assert.Null(await _store.GetAsync("things", "other"));
        Assert.Equal(1, ThingChanged.Parser.ParseFrom((await _store.GetAsync("things", "b"))!.Data).Value);
    }

    [Fact]
    public async Task ConcurrentWriters_OfTheSameVersion_OneWinsAndOneEventIsAppended()
    {
        await _store.NewBatch().Put("things", "c", 0, Bytes("c", 0), []).Publish(Changed("c", 0)).CommitAsync();

        var attempts = await Task.WhenAll(Enumerable.Range(1, 20).Select(async i =>
        {
            try
            {
                await _store.NewBatch().Put("things", "c", 1, Bytes("c", i), []).Publish(Changed("c", i)).CommitAsync();
                return true;
            }
            catch (ConcurrencyConflictException)
            {
                return false;
            }
        }));

        Assert.Single(attempts, won => won);
        Assert.Equal(2, StreamLength());
        Assert.Equal(2, (await _store.GetAsync("things", "c"))!.Version);
    }

    [Fact]
    public async Task Commit_IsRefused_WhenTheRequestIdWasUsed()
    {
        await _store.NewBatch().Put("things", "d", 0, Bytes("d", 1), []).ForRequest("create", "req-1", "things/d").CommitAsync();

        var retry = _store.NewBatch().Put("things", "d2", 0, Bytes("d2", 1), []).Publish(Changed("d2", 1)).ForRequest("create", "req-1", "things/d2");

        var duplicate = await Assert.ThrowsAsync<DuplicateRequestException>(retry.CommitAsync);
        Assert.Equal("things/d", duplicate.ExistingResource);
        Assert.Null(await _store.GetAsync("things", "d2"));
        Assert.Equal("things/d", await _store.FindRequestAsync("create", "req-1"));
    }

    [Fact]
    public async Task ClaimUnique_IsRefused_WhenAnotherDocumentHoldsTheValue()
    {
        await _store.NewBatch().Put("things", "e", 0, Bytes("e", 1), []).ClaimUnique("code", "X1", "e").CommitAsync();

        var clash = _store.NewBatch().Put("things", "f", 0, Bytes("f", 1), []).ClaimUnique("code", "X1", "f");

        await Assert.ThrowsAsync<AlreadyExistsException>(clash.CommitAsync);
        Assert.Null(await _store.GetAsync("things", "f"));
        Assert.Equal("e", await _store.FindUniqueAsync("code", "X1"));
    }

    [Fact]
    public async Task List_PagesInIdOrder_ThroughTheTermsAsked()
    {
        for (var i = 0; i < 7; i++)
        {
            var colour = i % 2 == 0 ? "red" : "blue";
            await _store.NewBatch().Put("list", $"item-{i}", 0, Bytes($"item-{i}", i), [new IndexTerm("colour", colour), new IndexTerm("size", "big")]).CommitAsync();
        }

        var first = await _store.ListAsync("list", [new IndexTerm("colour", "red"), new IndexTerm("size", "big")], null, 3, null, "red");
        var second = await _store.ListAsync("list", [new IndexTerm("colour", "red"), new IndexTerm("size", "big")], null, 3, first.NextPageToken, "red");

        Assert.Equal(["item-0", "item-2", "item-4"], first.Documents.Select(d => d.Id));
        Assert.Equal(["item-6"], second.Documents.Select(d => d.Id));
        Assert.Equal("", second.NextPageToken);
        await Assert.ThrowsAsync<InvalidArgumentException>(() => _store.ListAsync("list", [], null, 3, first.NextPageToken, "another filter"));
    }

    [Fact]
    public async Task List_WalksEveryPage_OfASparseSelection_InALargeCollection()
    {
        // 3,000 documents: every third is red, every fifth is big, and the filter keeps the even values.
        var batch = _store.NewBatch();
        for (var i = 0; i < 3000; i++)
        {
            batch.Put("sparse", $"d-{i:0000}", 0, Bytes($"d-{i:0000}", i), [new IndexTerm("colour", i % 3 == 0 ? "red" : "blue"), new IndexTerm("size", i % 5 == 0 ? "big" : "small")]);
            if (batch.Count == 500)
            {
                await batch.CommitAsync();
                batch = _store.NewBatch();
            }
        }

        static bool Even(Document document) => ThingChanged.Parser.ParseFrom(document.Data).Value % 2 == 0;
        IndexTerm[] terms = [new IndexTerm("colour", "red"), new IndexTerm("size", "big")];
        var listed = new List<string>();
        string? token = null;
        do
        {
            var page = await _store.ListAsync("sparse", terms, Even, 7, token, "red big even");
            Assert.InRange(page.Documents.Count, 1, 7);
            listed.AddRange(page.Documents.Select(d => d.Id));
            token = page.NextPageToken.Length > 0 ? page.NextPageToken : null;
        }
        while (token is not null);

        var expected = Enumerable.Range(0, 3000).Where(i => i % 30 == 0).Select(i => $"d-{i:0000}");
        Assert.Equal(expected, listed);
    }

    [Fact]
    public async Task Put_MovesTheDocumentBetweenIndexTerms()
    {
        await _store.NewBatch().Put("moves", "g", 0, Bytes("g", 1), [new IndexTerm("colour", "red")]).CommitAsync();
        await _store.NewBatch().Put("moves", "g", 1, Bytes("g", 2), [new IndexTerm("colour", "blue")]).CommitAsync();

        Assert.Empty((await _store.ListAsync("moves", [new IndexTerm("colour", "red")], null, 10, null, "")).Documents);
        Assert.Single((await _store.ListAsync("moves", [new IndexTerm("colour", "blue")], null, 10, null, "")).Documents);
    }
}
