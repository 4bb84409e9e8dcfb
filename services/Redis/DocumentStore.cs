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
    public async Task<Page> ListAsync(string collection, IReadOnlyList<IndexTerm> terms, Func<Document, bool>? keep, int pageSize, string? pageToken, string filterText)
    {
        var after = PageToken.Decode(pageToken, filterText);
        var candidates = await CandidateIdsAsync(collection, terms, after);
        var page = new List<Document>(pageSize);
        const int ChunkSize = 200;
        for (var start = 0; start < candidates.Count && page.Count <= pageSize; start += ChunkSize)
        {
            var chunk = candidates.Skip(start).Take(ChunkSize).ToList();
            foreach (var document in await GetManyAsync(collection, chunk))
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
        }

        if (page.Count <= pageSize)
        {
            return new Page(page, "");
        }

        page.RemoveAt(pageSize);
        return new Page(page, PageToken.Encode(page[^1].Id, filterText));
    }

    private async Task<IReadOnlyList<string>> CandidateIdsAsync(string collection, IReadOnlyList<IndexTerm> terms, string? after)
    {
        var baseKey = CollectionKey(collection);
        RedisValue[] ids;
        if (terms.Count <= 1)
        {
            var key = terms.Count == 0 ? baseKey + ":all" : baseKey + ":idx:" + terms[0];
            ids = await Db.SortedSetRangeByValueAsync(key, after is null ? default : after, default, after is null ? Exclude.None : Exclude.Start);
        }
        else
        {
            // Every member has score 0, so the intersection comes back in id order.
            ids = await Db.SortedSetCombineAsync(SetOperation.Intersect, terms.Select(t => (RedisKey)(baseKey + ":idx:" + t)).ToArray());
            if (after is not null)
            {
                ids = ids.Where(id => string.CompareOrdinal(id.ToString(), after) > 0).ToArray();
            }
        }

        return ids.Select(id => id.ToString()).ToList();
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
