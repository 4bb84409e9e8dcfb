using System.Collections.Concurrent;
using System.Text.Json;

namespace Ent.Partnership.EntSandbox;

/// <summary>How the sandbox behaves; changed at run time through <c>PUT /settings</c>.</summary>
public sealed class SandboxSettings
{
    /// <summary>The secret pushes are signed under.</summary>
    public string Secret { get; set; } = "";

    /// <summary>The share of pushes that fail with 503 (half before storing, half after: a lost answer).</summary>
    public double FailureRate { get; set; }

    /// <summary>How long each push waits before it is answered.</summary>
    public int LatencyMs { get; set; }

    /// <summary>The largest skew accepted between a push's timestamp and the sandbox's clock.</summary>
    public int MaxSkewSeconds { get; set; } = 300;
}

/// <summary>An item a school received.</summary>
public sealed record ReceivedNews(string Id, string Uai, JsonElement Item, DateTimeOffset ReceivedAt);

/// <summary>What the sandbox counted since it started (or was cleared).</summary>
public sealed record BoardCounts(int Pushes, int Stored, int Duplicates, int InjectedFailures, int Refused, int Retracted);

/// <summary>The news of every school, in memory: the sandbox forgets when it stops, as a sandbox may.</summary>
public sealed class NewsBoard
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, ReceivedNews>> _schools = new(StringComparer.Ordinal);
    private int _pushes;
    private int _stored;
    private int _duplicates;
    private int _injected;
    private int _refused;
    private int _retracted;

    public BoardCounts Counts => new(_pushes, _stored, _duplicates, _injected, _refused, _retracted);

    public void CountPush() => Interlocked.Increment(ref _pushes);

    public void CountInjectedFailure() => Interlocked.Increment(ref _injected);

    public void CountRefused() => Interlocked.Increment(ref _refused);

    /// <summary>Stores an item unless the school has it already (then false: the push was a duplicate).</summary>
    public bool TryAdd(ReceivedNews news)
    {
        var added = _schools.GetOrAdd(news.Uai, _ => new(StringComparer.Ordinal)).TryAdd(news.Id, news);
        Interlocked.Increment(ref added ? ref _stored : ref _duplicates);
        return added;
    }

    public bool Remove(string uai, string id)
    {
        var removed = _schools.TryGetValue(uai, out var news) && news.TryRemove(id, out _);
        if (removed)
        {
            Interlocked.Increment(ref _retracted);
        }

        return removed;
    }

    public IReadOnlyList<ReceivedNews> Of(string uai) =>
        _schools.TryGetValue(uai, out var news) ? news.Values.OrderBy(n => n.ReceivedAt).ToList() : [];

    public IReadOnlyDictionary<string, IReadOnlyList<ReceivedNews>> All() =>
        _schools.Where(s => !s.Value.IsEmpty).OrderBy(s => s.Key, StringComparer.Ordinal)
            .ToDictionary(s => s.Key, s => (IReadOnlyList<ReceivedNews>)s.Value.Values.OrderBy(n => n.ReceivedAt).ToList());

    public void Clear()
    {
        _schools.Clear();
        _pushes = _stored = _duplicates = _injected = _refused = _retracted = 0;
    }
}
