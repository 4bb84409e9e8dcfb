using System.Collections.Concurrent;
using Microsoft.IdentityModel.Tokens;

namespace Ent.Partnership.ServiceDefaults.Identity;

/// <summary>
/// The issuers whose internal tokens this process takes, with their public keys: given in its configuration
/// (a JWKS document, as tests and operators who hand keys out themselves do), or fetched from the issuer's
/// <c>/.well-known/jwks.json</c> and kept <see cref="KeepFor"/>, fetched again sooner when a token names a
/// key not seen yet (a rotation), at most every <see cref="RefetchAfter"/>.
/// </summary>
public sealed class TrustedIssuers(
    IReadOnlyDictionary<string, IReadOnlyList<SecurityKey>> given, IReadOnlyDictionary<string, Uri> published, HttpClient http, TimeProvider time)
{
    public static readonly TimeSpan KeepFor = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan RefetchAfter = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Fetched> _fetched = new(StringComparer.Ordinal);

    public bool Knows(string issuer) => given.ContainsKey(issuer) || published.ContainsKey(issuer);

    /// <summary>The issuer's keys, with the one named <paramref name="keyId"/> among them when the issuer has it; none for an unknown issuer.</summary>
    public async Task<IReadOnlyList<SecurityKey>> KeysAsync(string issuer, string? keyId, CancellationToken cancellationToken)
    {
        if (given.TryGetValue(issuer, out var keys))
        {
            return keys;
        }

        if (!published.TryGetValue(issuer, out var address))
        {
            return [];
        }

        var now = time.GetUtcNow();
        if (_fetched.TryGetValue(issuer, out var fetched)
            && (now - fetched.At < KeepFor && (keyId is null || fetched.Keys.Any(k => k.KeyId == keyId)) || now - fetched.At < RefetchAfter))
        {
            return fetched.Keys;
        }

        var document = await http.GetStringAsync(new Uri(address, "/.well-known/jwks.json"), cancellationToken);
        var found = IssuerKeys.Parse(document);
        _fetched[issuer] = new Fetched(found, now);
        return found;
    }

    private sealed record Fetched(IReadOnlyList<SecurityKey> Keys, DateTimeOffset At);
}
