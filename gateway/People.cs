using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Ent.Partnership.ServiceDefaults.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Ent.Partnership.Gateway;

/// <summary>The identity project whose tokens the gateway takes (<c>Gateway:Identity</c>).</summary>
public sealed record PersonTokenOptions
{
    /// <summary>Its base address; its discovery document is at <c>.well-known/openid-configuration</c> under it. None: no person tokens.</summary>
    public Uri? Authority { get; init; }

    /// <summary>The audience the tokens must name.</summary>
    public string Audience { get; init; } = "ent-partnership-api";
}

/// <summary>
/// A person enrolled (<c>Gateway:People</c>), and who the person acts for: named by the provider that vouched
/// for them and their subject, or by an upstream provider, their verified e-mail and their organisation's SIRET
/// (never by an e-mail alone: anyone may hold an address at some provider).
/// </summary>
public sealed record PersonOptions
{
    /// <summary>
    /// The upstream provider the identity project brokered the person from (its issuer, the token's <c>idp</c>);
    /// when empty, the identity project's own persons.
    /// </summary>
    public string? Issuer { get; init; }

    /// <summary>The token's <c>sub</c>; or none, to name the person by <see cref="Email"/> and <see cref="Siret"/>.</summary>
    public string? Subject { get; init; }

    /// <summary>With <see cref="Siret"/> and an upstream <see cref="Issuer"/>: the person's e-mail, as the token gives it verified.</summary>
    public string? Email { get; init; }

    /// <summary>The SIRET of the person's organisation, as the token's <c>siret</c> gives it.</summary>
    public string? Siret { get; init; }

    /// <summary>The party the person acts for, <c>parties/{id}</c>; none for admins and observers.</summary>
    public string? Party { get; init; }

    public string[] Roles { get; init; } = [];

    /// <summary>Whether this enrolment names the person <paramref name="token"/> speaks of.</summary>
    public bool Names(JsonWebToken token, string identityIssuer)
    {
        var vouchedBy = token.TryGetPayloadValue<string>("idp", out var provider) ? provider : token.Issuer;
        if ((Issuer ?? identityIssuer) != vouchedBy)
        {
            return false;
        }

        if (!string.IsNullOrEmpty(Subject))
        {
            return Subject == token.Subject;
        }

        return Issuer is not null && !string.IsNullOrEmpty(Email) && !string.IsNullOrEmpty(Siret)
            && token.TryGetPayloadValue<bool>("email_verified", out var verified) && verified
            && token.TryGetPayloadValue<string>("email", out var email) && string.Equals(email, Email, StringComparison.OrdinalIgnoreCase)
            && token.TryGetPayloadValue<string>("siret", out var siret) && siret == Siret;
    }
}

/// <summary>What became of a person's token.</summary>
public enum PersonOutcome
{
    Accepted,

    /// <summary>Not a token of the identity project for the API, or not now: 401.</summary>
    Refused,

    /// <summary>A valid token of a person <c>Gateway:People</c> does not name: 403 PERSON_NOT_ENROLLED.</summary>
    NotEnrolled,

    /// <summary>The identity project's keys could not be read: 503.</summary>
    IdentityUnavailable,
}

/// <summary>
/// Turns a person's access token into the internal token the services trust (<c>person:&lt;subject&gt;</c>,
/// with the party and roles of the person's enrolment). The token must come from the identity project (the
/// issuer of its discovery document), for the API's audience, now, signed ES256 with one of its published
/// keys: <c>alg: none</c>, an HMAC (even keyed with a published key) and any other algorithm are refused.
/// </summary>
public sealed partial class PersonAuthenticator(IOptionsMonitor<GatewayOptions> options, InternalToken tokens, TimeProvider time, IHttpClientFactory http)
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly ConcurrentDictionary<Uri, ConfigurationManager<OpenIdConnectConfiguration>> _configurations = new();
    private readonly ConcurrentDictionary<string, (string Token, KeyedCaller Caller, DateTimeOffset RenewAfter)> _tokens = new();

    /// <summary>
    /// Tokens found valid, with the keys and audience they were checked against: checking an ES256 signature on
    /// every request cost a third of the gateway's throughput (docs/benchmarks.md). A token is checked again once
    /// the keys are read again (a key withdrawn from the discovery document stops its tokens within minutes),
    /// and never used past its expiry.
    /// </summary>
    private readonly ConcurrentDictionary<string, (JsonWebToken Token, OpenIdConnectConfiguration Keys, string Audience)> _valid = new(StringComparer.Ordinal);

    private const int MaxRemembered = 10_000;

    /// <summary>Three base64url segments joined by dots: a token, never an API key (SPEC section 13).</summary>
    public static bool LooksLikeToken(string bearer) => JwtShape().IsMatch(bearer);

    public async Task<(PersonOutcome Outcome, string? Token, KeyedCaller? Caller)> AuthenticateAsync(string jwt, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        if (settings.Identity.Authority is not { } authority)
        {
            return (PersonOutcome.Refused, null, null);
        }

        OpenIdConnectConfiguration configuration;
        var manager = Configuration(authority);
        try
        {
            configuration = await manager.GetConfigurationAsync(cancellationToken);
        }
        catch (InvalidOperationException)
        {
            return (PersonOutcome.IdentityUnavailable, null, null);
        }

        var token = await ValidTokenAsync(jwt, manager, configuration, settings.Identity.Audience, cancellationToken);
        if (token is null)
        {
            return (PersonOutcome.Refused, null, null);
        }

        var person = settings.People.FirstOrDefault(p => p.Names(token, configuration.Issuer));
        if (person is null)
        {
            return (PersonOutcome.NotEnrolled, null, null);
        }

        // Kept per person and enrolment: a change of party or roles in the configuration applies at once.
        var now = time.GetUtcNow();
        var subject = token.Subject;
        var key = $"{subject}|{person.Party}|{string.Join(',', person.Roles)}";
        if (_tokens.TryGetValue(key, out var cached) && now < cached.RenewAfter && cached.Caller.RateLimit == settings.RateLimit)
        {
            return (PersonOutcome.Accepted, cached.Token, cached.Caller);
        }

        var caller = new KeyedCaller("person:" + subject, settings.RateLimit);
        var issued = tokens.IssueForPerson(subject, person.Party, person.Roles);
        _tokens[key] = (issued, caller, now + InternalToken.Lifetime / 2);
        return (PersonOutcome.Accepted, issued, caller);
    }

    /// <summary>The token when it is valid now for the audience under the identity project's keys; null otherwise.</summary>
    private async Task<JsonWebToken?> ValidTokenAsync(
        string jwt, ConfigurationManager<OpenIdConnectConfiguration> manager, OpenIdConnectConfiguration configuration, string audience, CancellationToken cancellationToken)
    {
        if (_valid.TryGetValue(jwt, out var known) && known.Keys == configuration && known.Audience == audience
            && known.Token.ValidTo > time.GetUtcNow().UtcDateTime.AddSeconds(-30))
        {
            return known.Token;
        }

        var result = await ValidateAsync(jwt, configuration, audience);
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // A key published since the keys were read: read them again (at most every few seconds).
            manager.RequestRefresh();
            configuration = await manager.GetConfigurationAsync(cancellationToken);
            result = await ValidateAsync(jwt, configuration, audience);
        }

        if (!result.IsValid || result.SecurityToken is not JsonWebToken token || string.IsNullOrEmpty(token.Subject))
        {
            return null;
        }

        if (_valid.Count >= MaxRemembered)
        {
            _valid.Clear();
        }

        _valid[jwt] = (token, configuration, audience);
        return token;
    }

    private Task<TokenValidationResult> ValidateAsync(string jwt, OpenIdConnectConfiguration configuration, string audience) =>
        _handler.ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = audience,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = (notBefore, expires, _, _) =>
                (notBefore is null || notBefore <= time.GetUtcNow().UtcDateTime.AddSeconds(30)) && expires > time.GetUtcNow().UtcDateTime.AddSeconds(-30),
        });

    private ConfigurationManager<OpenIdConnectConfiguration> Configuration(Uri authority) =>
        _configurations.GetOrAdd(authority, a => new ConfigurationManager<OpenIdConnectConfiguration>(
            new Uri(a, ".well-known/openid-configuration").ToString(),
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(http.CreateClient(nameof(PersonAuthenticator))) { RequireHttps = a.Scheme == Uri.UriSchemeHttps })
        {
            AutomaticRefreshInterval = TimeSpan.FromMinutes(5),
            RefreshInterval = TimeSpan.FromSeconds(10),
        });

    [GeneratedRegex("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*$")]
    private static partial Regex JwtShape();
}
