using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Ent.Partnership.ServiceDefaults.Identity;
using Microsoft.Extensions.Options;

namespace Ent.Partnership.Gateway;

/// <summary>One API key of <c>Gateway:ApiKeys</c>: the key itself (development) or its SHA-256, and who it is.</summary>
public sealed record ApiKeyOptions
{
    /// <summary>The key in clear; for development only.</summary>
    public string? Key { get; init; }

    /// <summary>The SHA-256 of the key, hex; what production configuration holds.</summary>
    public string? KeySha256 { get; init; }

    /// <summary>The party the key acts for, <c>parties/{id}</c>; none for admins and observers.</summary>
    public string? Party { get; init; }

    public string[] Roles { get; init; } = [];

    public string HashHex => (KeySha256 ?? (Key is null ? "" : Hash(Key))).ToLowerInvariant();

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}

public sealed class GatewayOptions
{
    public List<ApiKeyOptions> ApiKeys { get; init; } = [];
}

/// <summary>
/// Turns a partner's API key into the internal token the services trust. Keys are compared by their
/// SHA-256; the configuration is read on every lookup, so a key added or removed by a configuration reload
/// applies without a restart.
/// </summary>
public sealed class ApiKeyAuthenticator(IOptionsMonitor<GatewayOptions> options, InternalToken tokens, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset RenewAfter)> _tokens = new();

    /// <summary>The internal token for <paramref name="key"/>, or null when the key is unknown.</summary>
    public string? Authenticate(string key)
    {
        var hash = ApiKeyOptions.Hash(key);
        var entry = options.CurrentValue.ApiKeys.FirstOrDefault(k =>
            CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(k.HashHex), Encoding.ASCII.GetBytes(hash)));
        if (entry is null)
        {
            _tokens.TryRemove(hash, out _);
            return null;
        }

        var now = time.GetUtcNow();
        if (_tokens.TryGetValue(hash, out var cached) && now < cached.RenewAfter)
        {
            return cached.Token;
        }

        var token = tokens.IssueForPartner(hash[..12], entry.Party, entry.Roles);
        _tokens[hash] = (token, now + InternalToken.Lifetime / 2);
        return token;
    }
}
