using Ent.Partnership.ServiceDefaults.Errors;
using StackExchange.Redis;

namespace Ent.Partnership.Redis;

/// <summary>
/// What one write changes: documents (each with the version it was read at, 0 for a new one), unique
/// claims, the events the write causes and the request id that makes it idempotent. Committed in one
/// atomic step, or not at all.
/// </summary>
public sealed class WriteBatch
{
    /// <summary>How long a request id is remembered for idempotent retries.</summary>
    public static readonly TimeSpan RequestIdLifetime = TimeSpan.FromHours(24);

    private readonly DocumentStore _store;
    private readonly List<(string Collection, string Id, long ExpectedVersion, byte[]? Data, string Terms)> _documents = [];
    private readonly List<(string Name, string Value, string Owner)> _uniques = [];
    private readonly List<OutgoingEvent> _events = [];
    private (string Scope, string RequestId, string Resource)? _request;

    internal WriteBatch(DocumentStore store) => _store = store;

    public int Count => _documents.Count;

    /// <summary>Writes a document, refusing the whole batch unless its stored version is <paramref name="expectedVersion"/>.</summary>
    public WriteBatch Put(string collection, string id, long expectedVersion, byte[] data, IEnumerable<IndexTerm> terms)
    {
        var joined = string.Join('\n', terms.Select(t => t.ToString()));
        if (joined.Contains("\n\n", StringComparison.Ordinal))
        {
            throw new ArgumentException("Index terms cannot be empty or hold new lines.", nameof(terms));
        }

        _documents.Add((collection, id, expectedVersion, data, joined));
        return this;
    }

    /// <summary>Deletes a document read at <paramref name="expectedVersion"/>, with its index entries.</summary>
    public WriteBatch Delete(string collection, string id, long expectedVersion)
    {
        _documents.Add((collection, id, expectedVersion, null, ""));
        return this;
    }

    /// <summary>Claims a unique value for <paramref name="owner"/>; refused if another owner holds it.</summary>
    public WriteBatch ClaimUnique(string name, string value, string owner)
    {
        _uniques.Add((name, value, owner));
        return this;
    }

    /// <summary>Appends an event to the service's stream, in the same step as the writes.</summary>
    public WriteBatch Publish(OutgoingEvent outgoing)
    {
        _events.Add(outgoing);
        return this;
    }

    /// <summary>Remembers that this request id created <paramref name="resource"/>; a concurrent twin is refused.</summary>
    public WriteBatch ForRequest(string scope, string requestId, string resource)
    {
        _request = (scope, requestId, resource);
        return this;
    }

    /// <exception cref="ConcurrencyConflictException">a document changed since it was read.</exception>
    /// <exception cref="AlreadyExistsException">a unique value is held by another document.</exception>
    /// <exception cref="DuplicateRequestException">the request id was used already.</exception>
    public async Task<CommitResult> CommitAsync()
    {
        var keys = new List<RedisKey>();
        var args = new List<RedisValue>
        {
            _documents.Count,
            _uniques.Count,
            _events.Count,
            _request?.Resource ?? "",
            (long)RequestIdLifetime.TotalSeconds,
        };
        foreach (var (collection, id, expected, data, terms) in _documents)
        {
            keys.Add(_store.DocumentKey(collection, id));
            args.AddRange([_store.CollectionKey(collection), id, expected, data ?? [], terms, data is null ? 1 : 0]);
        }

        foreach (var (name, value, owner) in _uniques)
        {
            keys.Add(_store.UniqueKey(name, value));
            args.Add(owner);
        }

        foreach (var outgoing in _events)
        {
            args.AddRange([outgoing.Type, outgoing.Id, outgoing.ToJson()]);
        }

        keys.Add(_store.StreamKey);
        keys.Add(_request is { } request ? _store.RequestKey(request.Scope, request.RequestId) : _store.Prefix + ":request:none");

        var result = (RedisResult[])(await _store.ExecuteAsync([.. keys], [.. args]))!;
        switch ((string)result[0]!)
        {
            case "ok":
                return new CommitResult(result.Skip(1).Select(r => (long)r).ToList());
            case "duplicate":
                throw new DuplicateRequestException((string)result[1]!);
            case "conflict":
                var document = _documents[(int)result[1] - 1];
                throw new ConcurrencyConflictException(document.Collection + "/" + document.Id);
            default:
                var unique = _uniques[(int)result[1] - 1];
                throw new AlreadyExistsException((string)result[2]!, $"« {unique.Value} » ({unique.Name}) appartient déjà à {(string)result[2]!}.");
        }
    }

    internal const string Script = """
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
            redis.call('ZADD', base .. ':all', 0, id)
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
}
