using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using Ent.Partnership.Storage;

namespace Ent.Partnership.Dapr;

/// <summary>Which Dapr state store component a service writes to, and under which key prefix.</summary>
public sealed record DaprStoreOptions(string StoreName, string Prefix)
{
    /// <summary>The state store component a service uses unless configured otherwise: <c>parties-state</c>.</summary>
    public static string DefaultStoreName(string prefix) => prefix + "-state";

    /// <summary>How long an event stays in the state store once written (the outbox publishes it at once).</summary>
    public TimeSpan EventLifetime { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How many times a commit is tried again when it lost a race on an index shared with other writes.</summary>
    public int CommitAttempts { get; init; } = 30;
}

/// <summary>
/// The document store on the Dapr state API: any transactional Dapr state store whose component has the
/// transactional outbox configured (<c>outboxPublishPubsub</c>, <c>outboxPublishTopic</c>).
/// <para>
/// A document is one state item (its version, bytes and index terms, as JSON); Dapr's ETags guard it. Dapr
/// state has no secondary index, so each index term is an item too, the sorted ids it holds, written in the
/// same transaction as the documents; unique claims and request ids are items written with first-write
/// concurrency. An event is an item written in the transaction, which the outbox publishes; the outbox
/// publishes every other item the transaction writes as well, and subscribers drop what is not an event.
/// </para>
/// <para>
/// A commit reads what it will change, checks the versions, claims and request id (the domain's refusals),
/// then runs one transaction with every item's ETag. A transaction refused because an ETag moved is read
/// and tried again: a document of the batch that moved is a conflict; an index another write changed is
/// merged again.
/// </para>
/// </summary>
public sealed class DaprDocumentStore(DaprClient dapr, DaprStoreOptions options) : IDocumentStore
{
    public WriteBatch NewBatch() => new(this);

    private string DocumentKey(string collection, string id) => $"{options.Prefix}:doc:{collection}:{id}";

    private string IndexKey(string collection, string? term) => term is null
        ? $"{options.Prefix}:index:{collection}"
        : $"{options.Prefix}:index:{collection}:{term}";

    private string UniqueKey(string name, string value) => $"{options.Prefix}:unique:{name}:{value}";

    private string RequestKey(string scope, string requestId) => $"{options.Prefix}:request:{scope}:{requestId}";

    private string EventKey(string eventId) => $"{options.Prefix}:event:{eventId}";

    public async Task<Document?> GetAsync(string collection, string id) =>
        (await dapr.GetStateAsync<StoredDocument>(options.StoreName, DocumentKey(collection, id)))?.ToDocument(id);

    public async Task<IReadOnlyList<Document>> GetManyAsync(string collection, IReadOnlyList<string> ids)
    {
        var items = await ReadAsync(ids.Select(id => DocumentKey(collection, id)).ToList());
        return ids.Select(id => Parse<StoredDocument>(items[DocumentKey(collection, id)].Json)?.ToDocument(id))
            .OfType<Document>()
            .ToList();
    }

    public async Task<string?> FindUniqueAsync(string name, string value) =>
        (await dapr.GetStateAsync<Held>(options.StoreName, UniqueKey(name, value)))?.By;

    public async Task<string?> FindRequestAsync(string scope, string requestId) =>
        (await dapr.GetStateAsync<Held>(options.StoreName, RequestKey(scope, requestId)))?.By;

    /// <summary>
    /// Reads the terms' indexes whole, keeps the ids all of them hold after the token's, and reads their
    /// documents a chunk at a time: a page costs the size of the indexes it walks.
    /// </summary>
    public async Task<Page> ListAsync(string collection, IReadOnlyList<IndexTerm> terms, Func<Document, bool>? keep, int pageSize, string? pageToken, string filterText)
    {
        var after = PageToken.Decode(pageToken, filterText);
        var keys = terms.Count == 0 ? [IndexKey(collection, null)] : terms.Select(t => IndexKey(collection, t.ToString())).ToList();
        var indexes = await ReadAsync(keys);
        IEnumerable<string> ids = Parse<IndexedIds>(indexes[keys[0]].Json)?.Ids ?? [];
        foreach (var key in keys.Skip(1))
        {
            ids = ids.Intersect(Parse<IndexedIds>(indexes[key].Json)?.Ids ?? [], StringComparer.Ordinal);
        }

        var candidates = ids.Where(id => after is null || string.CompareOrdinal(id, after) > 0).ToList();
        var page = new List<Document>(pageSize + 1);
        for (var start = 0; start < candidates.Count && page.Count <= pageSize; start += pageSize + 1)
        {
            var chunk = candidates.GetRange(start, Math.Min(pageSize + 1, candidates.Count - start));
            page.AddRange((await GetManyAsync(collection, chunk)).Where(document => keep is null || keep(document)));
        }

        if (page.Count <= pageSize)
        {
            return new Page(page, "");
        }

        page.RemoveRange(pageSize, page.Count - pageSize);
        return new Page(page, PageToken.Encode(page[^1].Id, filterText));
    }

    public async Task<CommitResult> CommitAsync(WriteBatch batch)
    {
        IReadOnlyDictionary<string, string>? refusedWith = null;
        for (var attempt = 1; ; attempt++)
        {
            var plan = await PlanAsync(batch);
            try
            {
                await dapr.ExecuteStateTransactionAsync(options.StoreName, plan.Operations);
                return new CommitResult(plan.Versions);
            }
            catch (DaprException exception) when (!DaprErrorTranslator.IsTransient(exception))
            {
                // Nothing read has moved since the last refusal: the refusal is not a race, so say it as it is.
                if (refusedWith is not null && refusedWith.Count == plan.ETags.Count && !refusedWith.Except(plan.ETags).Any())
                {
                    throw;
                }

                if (attempt == options.CommitAttempts && batch.Documents.Count > 0)
                {
                    throw batch.Documents[0].Conflict();
                }

                if (attempt == options.CommitAttempts)
                {
                    throw;
                }

                refusedWith = plan.ETags;
                // Writers that lost to each other on a shared index spread out before they read again.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, Math.Min(5 * attempt, 100))));
            }
        }
    }

    /// <summary>Reads what the batch changes, refuses what the domain refuses, and lays out the transaction.</summary>
    private async Task<Plan> PlanAsync(WriteBatch batch)
    {
        var documentKeys = batch.Documents.Select(w => DocumentKey(w.Collection, w.Id)).ToList();
        var claimKeys = batch.Uniques.Select(c => UniqueKey(c.Name, c.Value)).ToList();
        var requestKey = batch.Request is { } request ? RequestKey(request.Scope, request.RequestId) : null;
        var read = await ReadAsync([.. documentKeys, .. claimKeys, .. requestKey is null ? [] : new[] { requestKey }]);

        if (requestKey is not null && Parse<Held>(read[requestKey].Json) is { } earlier)
        {
            throw new DuplicateRequestException(earlier.By);
        }

        var operations = new List<StateTransactionRequest>();
        var versions = new List<long>();
        var changes = new IndexChanges();
        for (var i = 0; i < batch.Documents.Count; i++)
        {
            var write = batch.Documents[i];
            var (json, etag) = read[documentKeys[i]];
            var stored = Parse<StoredDocument>(json);
            if ((stored?.Version ?? 0) != write.ExpectedVersion)
            {
                throw write.Conflict();
            }

            changes.Move(write, stored?.Terms ?? [], IndexKey);
            if (write.Data is null)
            {
                versions.Add(0);
                if (stored is not null)
                {
                    operations.Add(Delete(documentKeys[i], etag));
                }
            }
            else
            {
                versions.Add(write.ExpectedVersion + 1);
                operations.Add(Upsert(documentKeys[i], new StoredDocument(write.ExpectedVersion + 1, write.Data, [.. write.Terms]), etag));
            }
        }

        for (var j = 0; j < batch.Uniques.Count; j++)
        {
            var claim = batch.Uniques[j];
            var holder = Parse<Held>(read[claimKeys[j]].Json)?.By;
            if (holder is not null && holder != claim.Owner)
            {
                throw claim.HeldBy(holder);
            }

            if (holder is null)
            {
                operations.Add(Upsert(claimKeys[j], new Held(claim.Owner), etag: ""));
            }
        }

        var indexes = await ReadAsync(changes.Keys);
        foreach (var (key, (json, etag)) in indexes)
        {
            var ids = changes.ApplyTo(key, Parse<IndexedIds>(json)?.Ids ?? []);
            operations.Add(ids.Length == 0 ? Delete(key, etag) : Upsert(key, new IndexedIds(ids), etag));
        }

        if (requestKey is not null)
        {
            operations.Add(Upsert(requestKey, new Held(batch.Request!.Resource), etag: "", WriteBatch.RequestIdLifetime));
        }

        foreach (var outgoing in batch.Events)
        {
            operations.Add(new StateTransactionRequest(EventKey(outgoing.Id), Encoding.UTF8.GetBytes(outgoing.ToJson()), StateOperationType.Upsert,
                metadata: Metadata(options.EventLifetime, "application/cloudevents+json"), options: FirstWrite));
        }

        var etags = read.Concat(indexes).ToDictionary(item => item.Key, item => item.Value.ETag);
        return new Plan(operations, versions, etags);
    }

    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    /// <summary>
    /// A write guarded by <paramref name="etag"/>; with no ETag (the item did not exist when read), first-write
    /// concurrency refuses it if another writer created the item meanwhile.
    /// </summary>
    private StateTransactionRequest Upsert<T>(string key, T value, string etag, TimeSpan? lifetime = null) =>
        new(key, JsonSerializer.SerializeToUtf8Bytes(value, dapr.JsonSerializerOptions), StateOperationType.Upsert,
            etag: etag.Length == 0 ? null : etag, metadata: lifetime is null ? null : Metadata(lifetime.Value, null), options: FirstWrite);

    private static StateTransactionRequest Delete(string key, string etag) =>
        new(key, null, StateOperationType.Delete, etag: etag, options: FirstWrite);

    private static Dictionary<string, string> Metadata(TimeSpan lifetime, string? contentType)
    {
        var metadata = new Dictionary<string, string> { ["ttlInSeconds"] = ((long)lifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture) };
        if (contentType is not null)
        {
            metadata["contentType"] = contentType;
        }

        return metadata;
    }

    /// <summary>Each key's JSON (empty when absent) and ETag, in one bulk read.</summary>
    private async Task<Dictionary<string, (string Json, string ETag)>> ReadAsync(IReadOnlyList<string> keys)
    {
        if (keys.Count == 0)
        {
            return [];
        }

        var items = await dapr.GetBulkStateAsync(options.StoreName, keys, parallelism: null);
        var read = keys.Distinct().ToDictionary(key => key, _ => ("", ""));
        foreach (var item in items)
        {
            read[item.Key] = (item.Value ?? "", item.ETag ?? "");
        }

        return read;
    }

    private T? Parse<T>(string json) where T : class =>
        json.Length == 0 ? null : JsonSerializer.Deserialize<T>(json, dapr.JsonSerializerOptions);

    private sealed record Plan(List<StateTransactionRequest> Operations, List<long> Versions, IReadOnlyDictionary<string, string> ETags);
}

/// <summary>A document as stored: its version, bytes and index terms.</summary>
internal sealed record StoredDocument(long Version, byte[] Data, string[] Terms)
{
    public Document ToDocument(string id) => new(id, Version, Data);
}

/// <summary>The ids an index term holds, in ordinal order.</summary>
internal sealed record IndexedIds(string[] Ids);

/// <summary>Who holds a unique value, or what a request id created.</summary>
internal sealed record Held(string By);

/// <summary>The ids each index item of a batch gains and loses.</summary>
internal sealed class IndexChanges
{
    private readonly Dictionary<string, (HashSet<string> Added, HashSet<string> Removed)> _changes = [];

    public IReadOnlyList<string> Keys => [.. _changes.Keys];

    /// <summary>
    /// A document's move from <paramref name="oldTerms"/> (empty when it did not exist) to its new terms, in
    /// the collection's whole index (term null) and in each term's.
    /// </summary>
    public void Move(DocumentWrite write, IReadOnlyList<string> oldTerms, Func<string, string?, string> indexKey)
    {
        var existed = write.ExpectedVersion > 0;
        var exists = write.Data is not null;
        if (existed != exists && write.Listed)
        {
            Change(indexKey(write.Collection, null), write.Id, added: exists);
        }

        var newTerms = exists ? write.Terms : [];
        foreach (var term in oldTerms.Except(newTerms))
        {
            Change(indexKey(write.Collection, term), write.Id, added: false);
        }

        foreach (var term in newTerms.Except(oldTerms))
        {
            Change(indexKey(write.Collection, term), write.Id, added: true);
        }
    }

    public string[] ApplyTo(string key, string[] ids)
    {
        var (added, removed) = _changes[key];
        return ids.Where(id => !removed.Contains(id)).Union(added, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
    }

    private void Change(string key, string id, bool added)
    {
        if (!_changes.TryGetValue(key, out var change))
        {
            change = ([], []);
            _changes[key] = change;
        }

        (added ? change.Added : change.Removed).Add(id);
        (added ? change.Removed : change.Added).Remove(id);
    }
}
