using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Identity;
using Microsoft.Extensions.Options;

namespace Ent.Partnership.Gateway;

/// <summary>One API key of <c>Gateway:ApiKeys</c>: the key itself (development) or its SHA-256, and who it is.</summary>
public sealed record ApiKeyOptions
{
    /// <summary>
    /// The key's own name, unique, of the form of a resource id (<c>region-grand-est-si</c>): the events of the
    /// changes it makes name it as <c>key:&lt;id&gt;</c>. Required.
    /// </summary>
    public string? Id { get; init; }

    /// <summary>The key in clear; for development only.</summary>
    public string? Key { get; init; }

    /// <summary>The SHA-256 of the key, hex; what production configuration holds.</summary>
    public string? KeySha256 { get; init; }

    /// <summary>The party the key acts for, <c>parties/{id}</c>; none for admins and observers.</summary>
    public string? Party { get; init; }

    public string[] Roles { get; init; } = [];

    /// <summary>When the key stops working, if it does.</summary>
    public DateTimeOffset? Expires { get; init; }

    /// <summary>This key's own rate, when it differs from <see cref="GatewayOptions.RateLimit"/>.</summary>
    public RateLimitOptions? RateLimit { get; init; }

    public string HashHex => (KeySha256 ?? (Key is null ? "" : Hash(Key))).ToLowerInvariant();

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}

/// <summary>A key's token bucket: requests per second, and how many it may make at once after a pause.</summary>
public sealed record RateLimitOptions
{
    public int PerSecond { get; init; } = 100;

    public int Burst { get; init; } = 200;
}

public sealed class GatewayOptions
{
    public List<ApiKeyOptions> ApiKeys { get; init; } = [];

    /// <summary>The rate of keys that set none.</summary>
    public RateLimitOptions RateLimit { get; init; } = new();

    /// <summary>The largest request body, but for <c>:importSchools</c>.</summary>
    public long MaxBodyBytes { get; init; } = 1024 * 1024;

    /// <summary>The largest body of <c>:importSchools</c> (a school directory extract).</summary>
    public long MaxImportBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>The origins whose pages may call the API from a browser.</summary>
    public string[] CorsOrigins { get; init; } = [];

    /// <summary>The identity project whose access tokens persons call with.</summary>
    public PersonTokenOptions Identity { get; init; } = new();

    /// <summary>The persons enrolled: who they act for.</summary>
    public List<PersonOptions> People { get; init; } = [];

    /// <summary>Why the keys cannot be used as configured: a key without an id, an id breaking the pattern, two keys with one id.</summary>
    public IEnumerable<string> KeyIdProblems()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ApiKeys.Count; i++)
        {
            var id = ApiKeys[i].Id;
            if (string.IsNullOrEmpty(id) || !ResourceName.IdPattern().IsMatch(id))
            {
                yield return $"Gateway:ApiKeys:{i}:Id « {id} » is required: lower-case letters, digits and hyphens, starting with a letter.";
            }
            else if (!seen.Add(id))
            {
                yield return $"Gateway:ApiKeys:{i}:Id « {id} » is already the id of another key.";
            }
        }
    }
}

/// <summary>Who a request comes from, as far as the gateway's limits care: the key (by its id) and its rate.</summary>
public sealed record KeyedCaller(string KeyId, RateLimitOptions RateLimit)
{
    public static readonly object ItemKey = new();
}

/// <summary>
/// Turns a partner's API key into the internal token the services trust. Keys are looked up by their
/// SHA-256 in an index built once per configuration: a key added, removed or expired by a configuration
/// reload applies without a restart, and a key past its <c>Expires</c> is refused. The caller and its
/// token are kept per key until the token is half-way through its life.
/// </summary>
public sealed class ApiKeyAuthenticator(IOptionsMonitor<GatewayOptions> options, InternalToken tokens, TimeProvider time, ILogger<ApiKeyAuthenticator> logger)
{
    private readonly ConcurrentDictionary<string, (string Token, KeyedCaller Caller, DateTimeOffset RenewAfter)> _tokens = new();
    private KeyIndex? _index;

    /// <summary>The internal token for <paramref name="key"/> and who it is, or null when the key is unknown.</summary>
    public (string Token, KeyedCaller Caller)? Authenticate(string key)
    {
        var hash = ApiKeyOptions.Hash(key);
        var now = time.GetUtcNow();
        if (!Index().TryGetValue(hash, out var entry) || entry.Expires <= now)
        {
            _tokens.TryRemove(hash, out _);
            return null;
        }

        var rate = entry.RateLimit ?? options.CurrentValue.RateLimit;
        if (_tokens.TryGetValue(hash, out var cached) && now < cached.RenewAfter && cached.Caller.RateLimit == rate)
        {
            return (cached.Token, cached.Caller);
        }

        var caller = new KeyedCaller(entry.Id!, rate);
        var token = tokens.IssueForPartner(caller.KeyId, entry.Party, entry.Roles);
        _tokens[hash] = (token, caller, now + InternalToken.Lifetime / 2);
        return (token, caller);
    }

    /// <summary>
    /// The keys by hash, built again when the configuration is reloaded (a new options instance); the tokens
    /// made under the old one are dropped, so a change of roles applies at once.
    /// </summary>
    private Dictionary<string, ApiKeyOptions> Index()
    {
        var current = options.CurrentValue;

        var index = _index;
        if (!ReferenceEquals(index?.Options, current) && current.KeyIdProblems().ToList() is { Count: > 0 } problems && index is not null)
        {
            // A reload with keys the gateway cannot name (it does not start with them): the last good keys stay.
            logger.LogError("Gateway:ApiKeys reloaded with errors, the previous keys stay: {Errors}", string.Join(" ", problems));
            return index.ByHash;
        }

        if (!ReferenceEquals(index?.Options, current))
        {
            var byHash = new Dictionary<string, ApiKeyOptions>(StringComparer.Ordinal);
            foreach (var entry in current.ApiKeys)
            {
                byHash.TryAdd(entry.HashHex, entry);
            }

            index = _index = new KeyIndex(current, byHash);
            _tokens.Clear();
        }

        return index!.ByHash;
    }

    private sealed record KeyIndex(GatewayOptions Options, Dictionary<string, ApiKeyOptions> ByHash);
}
