using Ent.Partnership.Storage;
using StackExchange.Redis;

namespace Ent.Partnership.Redis;

/// <summary>
/// One service's documents in Redis, under its own key prefix. Each document is a hash
/// <c>{prefix}:{collection}:{id}</c> holding its version, bytes and index terms; every collection has an
/// ordered set of its ids (<c>:all</c>) and one per index term (<c>:idx:{field}={value}</c>). A
/// <see cref="WriteBatch"/> commits documents, indexes, unique claims, events and the request id in one
/// Lua script: one atomic step, with the version of every document checked first.
/// </summary>
public sealed class RedisDocumentStore(IConnectionMultiplexer redis, RedisStoreOptions options) : IDocumentStore
{
    private IDatabase Db => redis.GetDatabase();

    public string Prefix => options.Prefix;

    /// <summary>The Redis Stream this service publishes its events to.</summary>
    public string StreamKey => options.Prefix + ":events";

    public WriteBatch NewBatch() => new(this);

    private string DocumentKey(string collection, string id) => $"{options.Prefix}:{collection}:{id}";

    private string CollectionKey(string collection) => $"{options.Prefix}:{collection}";

    private string UniqueKey(string name, string value) => $"{options.Prefix}:unique:{name}:{value}";

    private string RequestKey(string scope, string requestId) => $"{options.Prefix}:request:{scope}:{requestId}";

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

    public async Task<CommitResult> CommitAsync(WriteBatch batch)
    {
        var keys = new List<RedisKey>();
        var args = new List<RedisValue>
        {
            batch.Documents.Count,
            batch.Uniques.Count,
            batch.Events.Count,
            batch.Request?.Resource ?? "",
            (long)WriteBatch.RequestIdLifetime.TotalSeconds,
        };
        foreach (var write in batch.Documents)
        {
            keys.Add(DocumentKey(write.Collection, write.Id));
            args.AddRange([CollectionKey(write.Collection), write.Id, write.ExpectedVersion, write.Data ?? [], string.Join('\n', write.Terms), write.Data is null ? 1 : write.Listed ? 0 : 2]);
        }

        foreach (var claim in batch.Uniques)
        {
            keys.Add(UniqueKey(claim.Name, claim.Value));
            args.Add(claim.Owner);
        }

        foreach (var outgoing in batch.Events)
        {
            args.AddRange([outgoing.Type, outgoing.Id, outgoing.ToJson()]);
        }

        keys.Add(StreamKey);
        keys.Add(batch.Request is { } request ? RequestKey(request.Scope, request.RequestId) : Prefix + ":request:none");

        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(Script, [.. keys], [.. args]))!;
        switch ((string)result[0]!)
        {
            case "ok":
                return new CommitResult(result.Skip(1).Select(r => (long)r).ToList());
            case "duplicate":
                throw new DuplicateRequestException((string)result[1]!);
            case "conflict":
                throw batch.Documents[(int)result[1] - 1].Conflict();
            default:
                throw batch.Uniques[(int)result[1] - 1].HeldBy((string)result[2]!);
        }
    }

    private const string Script = """
        local n, u, e = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
        local requestKey = KEYS[n + u + 2]
        if ARGV[4] ~= '' then
          local existing = redis.call('GET', requestKey)
          if existing then return {'duplicate', existing} end
        end
        local a = 6
        for i = 1, n do
          local current = tonumber(redis.call('HGET', KEYS[i], 'v') or '0')
          if current ~= tonumber(ARGV[a + 2]) then return {'conflict', i} end
          a = a + 6
        end
        for j = 1, u do
          local owner = redis.call('GET', KEYS[n + j])
          if owner and owner ~= ARGV[a + j - 1] then return {'unique', j, owner} end
        end
        local result = {'ok'}
        a = 6
        for i = 1, n do
          local key, base, id = KEYS[i], ARGV[a], ARGV[a + 1]
          local version = tonumber(ARGV[a + 2]) + 1
          local old = redis.call('HGET', key, 'i')
          if old then
            for term in string.gmatch(old, '[^\n]+') do redis.call('ZREM', base .. ':idx:' .. term, id) end
          end
          if ARGV[a + 5] == '1' then
            redis.call('DEL', key)
            redis.call('ZREM', base .. ':all', id)
            version = 0
          else
            redis.call('HSET', key, 'v', version, 'd', ARGV[a + 3], 'i', ARGV[a + 4])
            if ARGV[a + 5] == '0' then redis.call('ZADD', base .. ':all', 0, id) end
            for term in string.gmatch(ARGV[a + 4], '[^\n]+') do redis.call('ZADD', base .. ':idx:' .. term, 0, id) end
          end
          result[i + 1] = version
          a = a + 6
        end
        for j = 1, u do
          redis.call('SET', KEYS[n + j], ARGV[a])
          a = a + 1
        end
        for k = 1, e do
          redis.call('XADD', KEYS[n + u + 1], '*', 'type', ARGV[a], 'id', ARGV[a + 1], 'event', ARGV[a + 2])
          a = a + 3
        end
        if e > 0 then redis.call('PUBLISH', KEYS[n + u + 1], e) end
        if ARGV[4] ~= '' then redis.call('SET', requestKey, ARGV[4], 'EX', ARGV[5]) end
        return result
        """;

    private static class Fields
    {
        public static readonly RedisValue Version = "v";
        public static readonly RedisValue Data = "d";
    }
}

/// <summary>Which key prefix a service's data lives under.</summary>
public sealed record RedisStoreOptions(string Prefix);
