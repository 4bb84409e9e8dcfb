using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ent.Partnership.ServiceDefaults.Identity;

/// <summary>
/// Validates internal tokens as <see cref="JsonWebTokenHandler"/> does, and remembers the tokens found valid
/// until they expire: the gateway sends the same token for a minute, and checking its signature and claims
/// again on every call was a tenth of a service's work on a simple read. A token is remembered by its whole
/// text, signature included, so nothing but the very token validated before is taken on trust; the parameters
/// are the process's one set, fixed at start.
/// </summary>
public sealed class RememberedTokenHandler(TimeProvider time, TrustedIssuers? trusted = null) : TokenHandler
{
    /// <summary>Tokens remembered at most; beyond, the memory starts again (a few minutes' worth of keys at most).</summary>
    public const int Capacity = 10_000;

    /// <summary>The issuer of partners' and persons' tokens.</summary>
    public const string GatewayIssuer = "gateway";

    private readonly JsonWebTokenHandler _inner = new() { MapInboundClaims = false };
    private readonly ConcurrentDictionary<string, TokenValidationResult> _valid = new(StringComparer.Ordinal);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (_valid.TryGetValue(token, out var known))
        {
            if (known.SecurityToken.ValidTo > time.GetUtcNow().UtcDateTime)
            {
                return Copy(known);
            }

            _valid.TryRemove(token, out _);
        }

        var result = trusted is null
            ? await _inner.ValidateTokenAsync(token, validationParameters)
            : await ValidateSignedByIssuerAsync(token, validationParameters, trusted);
        if (!result.IsValid)
        {
            return result;
        }

        if (_valid.Count >= Capacity)
        {
            _valid.Clear();
        }

        _valid[token] = result;
        return Copy(result);
    }

    /// <summary>
    /// A token signed (ES256) with the key of the issuer it names, that issuer being one this process trusts:
    /// the gateway speaks for partners and persons only, a service for itself only (its <c>svc</c> is its name).
    /// </summary>
    private async Task<TokenValidationResult> ValidateSignedByIssuerAsync(string token, TokenValidationParameters validationParameters, TrustedIssuers issuers)
    {
        if (!_inner.CanReadToken(token) || _inner.ReadJsonWebToken(token) is not { Issuer: { Length: > 0 } issuer } read || !issuers.Knows(issuer))
        {
            return Invalid("The token names no issuer this service trusts.");
        }

        var parameters = validationParameters.Clone();
        parameters.ValidIssuer = issuer;
        try
        {
            parameters.IssuerSigningKeys = await issuers.KeysAsync(issuer, read.Kid, CancellationToken.None);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or ArgumentException)
        {
            // The issuer's keys cannot be read now: the token is not taken (401), never a server error.
            return Invalid($"The keys of {issuer} cannot be read now: {exception.Message}");
        }

        parameters.ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256];
        var result = await _inner.ValidateTokenAsync(token, parameters);
        if (!result.IsValid)
        {
            return result;
        }

        var service = result.ClaimsIdentity.FindFirst(InternalToken.ServiceClaim)?.Value;
        return (issuer == GatewayIssuer ? service is null : service == issuer)
            ? result
            : Invalid($"{issuer} may not sign for {service ?? "a partner"}.");
    }

    private static TokenValidationResult Invalid(string reason) => new() { IsValid = false, Exception = new SecurityTokenValidationException(reason) };

    /// <summary>Each request gets its own identity: nothing one request does to it reaches another.</summary>
    private static TokenValidationResult Copy(TokenValidationResult valid) => new()
    {
        IsValid = true,
        ClaimsIdentity = valid.ClaimsIdentity.Clone(),
        SecurityToken = valid.SecurityToken,
        Issuer = valid.Issuer,
        TokenType = valid.TokenType,
    };

    public override SecurityToken ReadToken(string token) => _inner.ReadToken(token);
}
