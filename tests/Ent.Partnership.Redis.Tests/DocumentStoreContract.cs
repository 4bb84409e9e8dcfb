using Dapr.Client;
using Ent.Partnership.Dapr;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Storage;
using Ent.Partnership.Tests.Support;
using Google.Protobuf;

namespace Ent.Partnership.Redis.Tests;

/// <summary>
/// What every document store adapter must do, run against each: Redis (<see cref="RedisDocumentStoreTests"/>)
/// and Dapr through the sidecar stand-in (<see cref="DaprDocumentStoreTests"/>), both on a real redis-server.
/// </summary>
public abstract class DocumentStoreContract
{
    /// <summary>Unique to the test class instance: the prefix of its data and the source of its events.</summary>
    protected string Scope { get; } = "test-" + Guid.NewGuid().ToString("N")[..8];

    protected abstract IDocumentStore Store { get; }

    /// <summary>The events this instance's store published, in order.</summary>
    protected abstract Task<IReadOnlyList<ReceivedEvent>> PublishedAsync();

    private async Task<int> PublishedCount() => (await PublishedAsync()).Count;

    private OutgoingEvent Changed(string thing, int value) =>
        OutgoingEvent.From(new ThingChanged { Thing = thing, Value = value }, "/" + Scope, "things/" + thing, TimeProvider.System, Readers.Everyone);

    private static byte[] Bytes(string thing, int value) => new ThingChanged { Thing = thing, Value = value }.ToByteArray();

    [Fact]
    public async Task Commit_WritesTheDocumentAndItsEvent_Together()
    {
        var result = await Store.NewBatch()
            .Put("things", "a", 0, Bytes("a", 1), [new IndexTerm("colour", "red")])
            .Publish(Changed("a", 1))
            .CommitAsync();

        Assert.Equal([1L], result.Versions);
        var document = await Store.GetAsync("things", "a");
        Assert.NotNull(document);
        Assert.Equal("v1", document.Etag);
        var received = Assert.Single(await PublishedAsync());
        Assert.Equal("ent.partnership.tests.v1.ThingChanged", received.Type);
        Assert.Equal(1, received.DataAs(ThingChanged.Parser).Value);
    }

    [Fact]
    public async Task EachEvent_IsKeptInTheHistoryOfItsSubjectAndOfTheResourcesAboveIt_OldestFirst_ForItsReaders()
    {
        var issuer = new Caller("parties/cea", new HashSet<string> { RoleNames.Collectivity }, null);
        var other = new Caller("parties/dep-57", new HashSet<string> { RoleNames.Collectivity }, null);
        var onlyIssuer = Readers.Only(["parties/cea"], []);
        OutgoingEvent Part(int value, Readers readers) =>
            OutgoingEvent.From(new ThingChanged { Thing = "h", Value = value }, "/" + Scope, "things/h/parts/p", TimeProvider.System, readers);
        var written = await Store.NewBatch().Put("things", "h", 0, Bytes("h", 1), []).Publish(Changed("h", 1)).Publish(Part(2, onlyIssuer)).CommitAsync();
        await Store.NewBatch().Publish(Changed("h", 3)).Publish(Changed("elsewhere", 4)).CommitAsync();

        Assert.Equal([1L], written.Versions);
        var (all, next) = await EventHistory.ListAsync(Store, "things/h", r => r.Admits(issuer), 2, "");
        Assert.Equal(["ThingChanged", "ThingChanged"], all.Select(r => r.ShortType));
        Assert.Equal(["things/h", "things/h/parts/p"], all.Select(r => r.Subject));
        var (rest, last) = await EventHistory.ListAsync(Store, "things/h", r => r.Admits(issuer), 2, next);
        Assert.Equal(("things/h", ""), (Assert.Single(rest).Subject, last));
        Assert.Equal(2, (await EventHistory.ListAsync(Store, "things/h", r => r.Admits(other), 10, "")).Records.Count);
        Assert.Single((await EventHistory.ListAsync(Store, "things/h/parts/p", r => r.Admits(issuer), 10, "")).Records);
        Assert.Equal("service:" + Scope, all[0].Actor?.Subject);
        Assert.Empty((await Store.ListAsync(EventHistory.Collection, [], null, 10, null, "")).Documents);
        await Assert.ThrowsAsync<InvalidArgumentException>(() => EventHistory.ListAsync(Store, "things/elsewhere", _ => true, 2, next));
    }

    [Fact]
    public async Task Commit_WritesNeitherDocumentNorEvent_WhenAVersionIsStale()
    {
        await Store.NewBatch().Put("things", "b", 0, Bytes("b", 1), []).Publish(Changed("b", 1)).CommitAsync();

        var stale = Store.NewBatch()
            .Put("things", "other", 0, Bytes("other", 1), [])
            .Put("things", "b", 0, Bytes("b", 2), [])
            .Publish(Changed("b", 2));

        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(stale.CommitAsync);
        Assert.Equal("things/b", conflict.ResourceName);
        Assert.Equal(1, await PublishedCount());
        Assert.Null(await Store.GetAsync("things", "other"));
        Assert.Equal(1, ThingChanged.Parser.ParseFrom((await Store.GetAsync("things", "b"))!.Data).Value);
    }

    [Fact]
    public async Task ConcurrentWriters_OfTheSameVersion_OneWinsAndOneEventIsAppended()
    {
        await Store.NewBatch().Put("things", "c", 0, Bytes("c", 0), []).Publish(Changed("c", 0)).CommitAsync();

        var attempts = await Task.WhenAll(Enumerable.Range(1, 20).Select(async i =>
        {
            try
            {
                await Store.NewBatch().Put("things", "c", 1, Bytes("c", i), []).Publish(Changed("c", i)).CommitAsync();
                return true;
            }
            catch (ConcurrencyConflictException)
            {
                return false;
            }
        }));

        Assert.Single(attempts, won => won);
        Assert.Equal(2, await PublishedCount());
        Assert.Equal(2, (await Store.GetAsync("things", "c"))!.Version);
    }

    [Fact]
    public async Task Commit_IsRefused_WhenTheRequestIdWasUsed()
    {
        await Store.NewBatch().Put("things", "d", 0, Bytes("d", 1), []).ForRequest("create", "req-1", "things/d").CommitAsync();

        var retry = Store.NewBatch().Put("things", "d2", 0, Bytes("d2", 1), []).Publish(Changed("d2", 1)).ForRequest("create", "req-1", "things/d2");

        var duplicate = await Assert.ThrowsAsync<DuplicateRequestException>(retry.CommitAsync);
        Assert.Equal("things/d", duplicate.ExistingResource);
        Assert.Null(await Store.GetAsync("things", "d2"));
        Assert.Equal("things/d", await Store.FindRequestAsync("create", "req-1"));
    }

    [Fact]
    public async Task ClaimUnique_IsRefused_WhenAnotherDocumentHoldsTheValue()
    {
        await Store.NewBatch().Put("things", "e", 0, Bytes("e", 1), []).ClaimUnique("code", "X1", "e").CommitAsync();

        var clash = Store.NewBatch().Put("things", "f", 0, Bytes("f", 1), []).ClaimUnique("code", "X1", "f");

        await Assert.ThrowsAsync<AlreadyExistsException>(clash.CommitAsync);
        Assert.Null(await Store.GetAsync("things", "f"));
        Assert.Equal("e", await Store.FindUniqueAsync("code", "X1"));
    }

    [Fact]
    public async Task List_PagesInIdOrder_ThroughTheTermsAsked()
    {
        for (var i = 0; i < 7; i++)
        {
            var colour = i % 2 == 0 ? "red" : "blue";
            await Store.NewBatch().Put("list", $"item-{i}", 0, Bytes($"item-{i}", i), [new IndexTerm("colour", colour), new IndexTerm("size", "big")]).CommitAsync();
        }

        var first = await Store.ListAsync("list", [new IndexTerm("colour", "red"), new IndexTerm("size", "big")], null, 3, null, "red");
        var second = await Store.ListAsync("list", [new IndexTerm("colour", "red"), new IndexTerm("size", "big")], null, 3, first.NextPageToken, "red");

        Assert.Equal(["item-0", "item-2", "item-4"], first.Documents.Select(d => d.Id));
        Assert.Equal(["item-6"], second.Documents.Select(d => d.Id));
        Assert.Equal("", second.NextPageToken);
        await Assert.ThrowsAsync<InvalidArgumentException>(() => Store.ListAsync("list", [], null, 3, first.NextPageToken, "another filter"));
    }

    [Fact]
    public async Task List_WalksEveryPage_OfASparseSelection_InALargeCollection()
    {
        // 3,000 documents: every third is red, every fifth is big, and the filter keeps the even values.
        var batch = Store.NewBatch();
        for (var i = 0; i < 3000; i++)
        {
            batch.Put("sparse", $"d-{i:0000}", 0, Bytes($"d-{i:0000}", i), [new IndexTerm("colour", i % 3 == 0 ? "red" : "blue"), new IndexTerm("size", i % 5 == 0 ? "big" : "small")]);
            if (batch.Count == 500)
            {
                await batch.CommitAsync();
                batch = Store.NewBatch();
            }
        }

        static bool Even(Document document) => ThingChanged.Parser.ParseFrom(document.Data).Value % 2 == 0;
        IndexTerm[] terms = [new IndexTerm("colour", "red"), new IndexTerm("size", "big")];
        var listed = new List<string>();
        string? token = null;
        do
        {
            var page = await Store.ListAsync("sparse", terms, Even, 7, token, "red big even");
            Assert.InRange(page.Documents.Count, 1, 7);
            listed.AddRange(page.Documents.Select(d => d.Id));
            token = page.NextPageToken.Length > 0 ? page.NextPageToken : null;
        }
        while (token is not null);

        var expected = Enumerable.Range(0, 3000).Where(i => i % 30 == 0).Select(i => $"d-{i:0000}");
        Assert.Equal(expected, listed);
    }

    [Fact]
    public async Task ConcurrentCreates_InOneCollection_AreAllKeptAndListed()
    {
        var creates = Enumerable.Range(0, 20).Select(i =>
            Store.NewBatch().Put("crowd", $"c-{i:00}", 0, Bytes($"c-{i:00}", i), [new IndexTerm("colour", "red")]).CommitAsync());

        await Task.WhenAll(creates);

        var page = await Store.ListAsync("crowd", [new IndexTerm("colour", "red")], null, 50, null, "");
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"c-{i:00}"), page.Documents.Select(d => d.Id));
        Assert.Equal(20, (await Store.ListAsync("crowd", [], null, 50, null, "")).Documents.Count);
    }

    [Fact]
    public async Task Delete_RemovesTheDocumentFromItsIndexes()
    {
        await Store.NewBatch().Put("gone", "h", 0, Bytes("h", 1), [new IndexTerm("colour", "red")]).CommitAsync();
        await Store.NewBatch().Put("gone", "i", 0, Bytes("i", 1), [new IndexTerm("colour", "red")]).CommitAsync();

        var result = await Store.NewBatch().Delete("gone", "h", 1).CommitAsync();

        Assert.Equal([0L], result.Versions);
        Assert.Null(await Store.GetAsync("gone", "h"));
        Assert.Equal(["i"], (await Store.ListAsync("gone", [new IndexTerm("colour", "red")], null, 10, null, "")).Documents.Select(d => d.Id));
        Assert.Equal(["i"], (await Store.ListAsync("gone", [], null, 10, null, "")).Documents.Select(d => d.Id));
    }

    [Fact]
    public async Task Put_MovesTheDocumentBetweenIndexTerms()
    {
        await Store.NewBatch().Put("moves", "g", 0, Bytes("g", 1), [new IndexTerm("colour", "red")]).CommitAsync();
        await Store.NewBatch().Put("moves", "g", 1, Bytes("g", 2), [new IndexTerm("colour", "blue")]).CommitAsync();

        Assert.Empty((await Store.ListAsync("moves", [new IndexTerm("colour", "red")], null, 10, null, "")).Documents);
        Assert.Single((await Store.ListAsync("moves", [new IndexTerm("colour", "blue")], null, 10, null, "")).Documents);
    }
}

public sealed class RedisDocumentStoreTests(RedisServer redis) : DocumentStoreContract, IClassFixture<RedisServer>
{
    private readonly RedisDocumentStore _store = new(redis.Connection, new RedisStoreOptions(Guid.NewGuid().ToString("N")));

    protected override IDocumentStore Store => _store;

    protected override async Task<IReadOnlyList<ReceivedEvent>> PublishedAsync() =>
        (await redis.Connection.GetDatabase().StreamRangeAsync(_store.StreamKey))
            .Select(entry => new ReceivedEvent(entry.Id!, EventFormat.Parse(entry["event"]!)))
            .ToList();
}

public sealed class DaprDocumentStoreTests(DaprSidecar sidecar) : DocumentStoreContract, IClassFixture<DaprSidecar>
{
    private readonly DaprDocumentStore _store = new(sidecar.Client, new DaprStoreOptions(DaprSidecar.StoreName, Guid.NewGuid().ToString("N")));

    protected override IDocumentStore Store => _store;

    [Fact]
    public async Task ASidecarThatDoesNotAnswer_IsUnavailable_NotAnInternalError()
    {
        using var nowhere = new DaprClientBuilder().UseGrpcEndpoint($"http://127.0.0.1:{RedisServer.FreePort()}").Build();
        var store = new DaprDocumentStore(nowhere, new DaprStoreOptions(DaprSidecar.StoreName, "nowhere"));

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => store.GetAsync("things", "a"));

        var translated = Assert.IsType<UnavailableException>(new ErrorTranslation([new DaprErrorTranslator()]).Translate(failure));
        Assert.False(translated.TimedOut);
    }

    /// <summary>The outbox publishes every item a transaction writes; the events are those a subscriber would handle.</summary>
    protected override async Task<IReadOnlyList<ReceivedEvent>> PublishedAsync() =>
        (await sidecar.PublishedAsync(DaprSidecar.OutboxTopic))
            .Select(DaprEventDelivery.EventIn)
            .OfType<ReceivedEvent>()
            .Where(received => received.CloudEvent.Source?.ToString() == "/" + Scope)
            .ToList();
}
