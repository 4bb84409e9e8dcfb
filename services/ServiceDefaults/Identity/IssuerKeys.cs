using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Ent.Partnership.ServiceDefaults.Identity;

/// <summary>
/// An issuer's key pairs for internal tokens (ES256 on P-256), made from secret seeds: the current one signs;
/// during a rotation the previous one is still published, so that what it signed stays valid until it
/// expires. The same seed always makes the same key, so every process of an issuer signs alike.
/// </summary>
public sealed class IssuerKeys
{
    private static readonly byte[] Order = Convert.FromHexString("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");

    public IssuerKeys(string issuer, string seed, string? previousSeed = null)
    {
        Issuer = issuer;
        Current = KeyFrom(seed);
        Published = previousSeed is null ? [Current] : [Current, KeyFrom(previousSeed)];
    }

    /// <summary>The issuer's name: <c>gateway</c>, or the service's.</summary>
    public string Issuer { get; }

    public ECDsaSecurityKey Current { get; }

    /// <summary>The keys whose tokens are valid: the current one, and the previous one during a rotation.</summary>
    public IReadOnlyList<ECDsaSecurityKey> Published { get; }

    public SigningCredentials Signing => new(Current, SecurityAlgorithms.EcdsaSha256);

    /// <summary>The public keys as <c>/.well-known/jwks.json</c> serves them.</summary>
    public string Jwks() => JsonSerializer.Serialize(new
    {
        keys = Published.Select(key => key.ECDsa.ExportParameters(includePrivateParameters: false)).Select((p, i) => new Dictionary<string, string>
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["x"] = Base64UrlEncoder.Encode(p.Q.X),
            ["y"] = Base64UrlEncoder.Encode(p.Q.Y),
            ["kid"] = Published[i].KeyId,
            ["use"] = "sig",
            ["alg"] = SecurityAlgorithms.EcdsaSha256,
        }),
    });

    /// <summary>The signing keys of a JWKS document, as <see cref="Jwks"/> writes it.</summary>
    public static IReadOnlyList<SecurityKey> Parse(string jwks) => new JsonWebKeySet(jwks).GetSigningKeys().ToList();

    /// <summary>
    /// The key a seed makes: the private scalar derived by HKDF-SHA256, tried again with the next counter in the
    /// rare case (one in four billion) it is not below the curve's order; .NET computes the public point.
    /// </summary>
    private static ECDsaSecurityKey KeyFrom(string seed)
    {
        if (Encoding.UTF8.GetByteCount(seed) < 32)
        {
            throw new InvalidOperationException("An internal token seed must be at least 32 bytes long.");
        }

        for (var counter = 0; ; counter++)
        {
            var scalar = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(seed), 32, info: Encoding.UTF8.GetBytes($"ent-partnership internal token ES256 {counter}"));
            if (scalar.Any(b => b != 0) && scalar.AsSpan().SequenceCompareTo(Order) < 0)
            {
                var ecdsa = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = scalar });
                var point = ecdsa.ExportParameters(includePrivateParameters: false).Q;
                var id = Base64UrlEncoder.Encode(SHA256.HashData([.. point.X!, .. point.Y!]))[..16];
                return new ECDsaSecurityKey(ecdsa) { KeyId = id };
            }
        }
    }
}
