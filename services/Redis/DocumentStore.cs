using StackExchange.Redis;

namespace Ent.Partnership.Redis;

/// <summary>A stored document: its id, its version (1 after the first write) and its bytes.</summary>
public sealed record Document(string Id, long Version, byte[] Data)
{
    /// <summary>The etag clients see, derived from the version.</summary>
    public string Etag => EtagOf(Version);

    public static string EtagOf(long version) => "v" + version.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// One service's documents in Redis, under its own key prefix. Each document is a hash
/// <c>{prefix}:{collection}:{id}</c> holding its version, bytes and index terms; every collection has an
/// ordered set of its ids (<c>:all</c>) and one per index term (<c>:idx:{field}={value}</c>). A
/// <see cref="WriteBatch"/> commits documents, indexes, unique claims, events and the request id in one
/// Lua script: one atomic step, with the version of every document checked first.
/// </summary>
public sealed class DocumentStore(IConnectionMultiplexer redis, RedisStoreOptions options)
{
    private IDatabase Db => redis.GetDatabase();

    public string Prefix => options.Prefix;

    /// <summary>The Redis Stream this service publishes its events to.</summary>
    public string StreamKey => options.Prefix + ":events";

    public WriteBatch NewBatch() => new(this);

    internal string DocumentKey(string collection, string id) => $"{options.Prefix}:{collection}:{id}";

    internal string CollectionKey(string collection) => $"{options.Prefix}:{collection}";

    internal string UniqueKey(string name, string value) => $"{options.Prefix}:unique:{name}:{value}";

    internal string RequestKey(string scope, string requestId) => $"{options.Prefix}:request:{scope}:{requestId}";

    public async Task<Document?> GetAsync(string collection, string id)
    {
        var values = await Db.HashGetAsync(DocumentKey(collection, id), [Fields.Version, Fields.Data]);
        return values[0].IsNull ? null : new Document(id, (long)values[0], (byte[])values[1]!);
    }

    public async Task<IReadOnlyList<Document>> GetManyAsync(string collection, IReadOnlyList<string> ids)
    {
        var batch = Db.CreateBatch();
        var reads = ids.Select(id => batch.HashGetAsync(DocumentKey(collection, id), [Fields.Version, Fields.Data])).ToList();
        batch.Execute();
        var documents = new List<Document>(ids.Count);
        for (var i = 0; i < ids.Count; i++)
        {
            var values = await reads[i];
            if (!values[0].IsNull)
            {
                documents.Add(new Document(ids[i], (long)values[0], (byte[])values[1]!));
            }
        }

        return documents;
    }

    /// <summary>The id that holds a unique value (a school's UAI), if any.</summary>
    public async Task<string?> FindUniqueAsync(string name, string value)
    {
        var owner = await Db.StringGetAsync(UniqueKey(name, value));
        return owner.IsNull ? null : owner.ToString();
    }

    /// <summary>The resource a request id created, if that request was already carried out.</summary>
    public async Task<string?> FindRequestAsync(string scope, string requestId)
    {
        var result = await Db.StringGetAsync(RequestKey(scope, requestId));
        return result.IsNull ? null : result.ToString();
    }

    /// <summary>
    /// A page of a collection in id order: documents carrying every index term, kept by
    /// <paramref name="keep"/>, after the id the page token names.
    /// </summary>
    /// <summary>
    /// A page of the documents having every term, in id order, after the page token's id. Walks the smallest
    /// of the terms' indexes from that id, a chunk at a time, keeping the ids the other indexes also hold and
    /// the documents <paramref name="keep"/> accepts: a page costs what it reads, however deep it is and
    /// however large the collection.
    /// </summary>
    public async Task<Page> ListAsync(string collection, IReadOnlyList<IndexTerm> terms, Func<Document, bool>? keep, int pageSize, string? pageToken, string filterText)
    {
        var after = PageToken.Decode(pageToken, filterText);
        var (walked, others) = await IndexesAsync(collection, terms);
        var page = new List<Document>(pageSize + 1);
        var chunkSize = pageSize + 1;
        while (page.Count <= pageSize)
        {
            var ids = await Db.SortedSetRangeByValueAsync(walked, after is null ? default : after, default,
                after is null ? Exclude.None : Exclude.Start, Order.Ascending, skip: 0, take: chunkSize);
            if (ids.Length == 0)
            {
                break;
            }

            after = ids[^1].ToString();
            foreach (var document in await GetManyAsync(collection, await InEveryAsync(others, ids)))
            {
                if (keep is null || keep(document))
                {
                    page.Add(document);
                    if (page.Count > pageSize)
                    {
                        break;
                    }
                }
            }

            if (ids.Length < chunkSize)
            {
                break;
            }

            chunkSize = Math.Min(chunkSize * 2, 2000);
        }

        if (page.Count <= pageSize)
        {
            return new Page(page, "");
        }

        page.RemoveAt(pageSize);
        return new Page(page, PageToken.Encode(page[^1].Id, filterText));
    }

    /// <summary>The index to walk (the smallest of the terms', or the whole collection's) and the others to check.</summary>
    private async Task<(RedisKey Walked, RedisKey[] Others)> IndexesAsync(string collection, IReadOnlyList<IndexTerm> terms)
    {
        var baseKey = CollectionKey(collection);
        if (terms.Count == 0)
        {
            return (baseKey + ":all", []);
        }

        var keys = terms.Select(t => (RedisKey)(baseKey + ":idx:" + t)).ToArray();
        if (keys.Length == 1)
        {
            return (keys[0], []);
        }

        var sizes = await Task.WhenAll(keys.Select(key => Db.SortedSetLengthAsync(key)));
        var smallest = Array.IndexOf(sizes, sizes.Min());
        return (keys[smallest], keys.Where((_, i) => i != smallest).ToArray());
    }

    /// <summary>The ids, in their order, that every other index holds too (one pipelined ZMSCORE per index).</summary>
    private async Task<IReadOnlyList<string>> InEveryAsync(RedisKey[] others, RedisValue[] ids)
    {
        var scores = await Task.WhenAll(others.Select(key => Db.SortedSetScoresAsync(key, ids)));
        return ids.Where((_, i) => scores.All(s => s[i] is not null)).Select(id => id.ToString()).ToList();
    }

    internal async Task<RedisResult> ExecuteAsync(RedisKey[] keys, RedisValue[] args) =>
        await Db.ScriptEvaluateAsync(WriteBatch.Script, keys, args);

    internal static class Fields
    {
        public static readonly RedisValue Version = "v";
        public static readonly RedisValue Data = "d";
    }
}

/// <summary>One page of a List.</summary>
public sealed record Page(IReadOnlyList<Document> Documents, string NextPageToken);

/// <summary>An index entry: documents whose <paramref name="Field"/> equals <paramref name="Value"/>.</summary>
public sealed record IndexTerm(string Field, string Value)
{
    public override string ToString() => Field + "=" + Value;
}

/// <summary>Which key prefix a service's data lives under.</summary>
public sealed record RedisStoreOptions(string Prefix);

/// <summary>The outcome of a commit: the new version of each document written, in the order they were added.</summary>
public sealed record CommitResult(IReadOnlyList<long> Versions);

/// <summary>The write's request id had been used already; <see cref="ExistingResource"/> is what it created.</summary>
public sealed class DuplicateRequestException(string existingResource)
    : Exception($"The request was carried out already and created {existingResource}.")
{
    public string ExistingResource { get; } = existingResource;
}
