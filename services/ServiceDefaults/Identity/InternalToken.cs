using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ent.Partnership.ServiceDefaults.Identity;

/// <summary>
/// The short-lived token the gateway makes from a partner's API key, and the one a service makes for its own
/// calls: a JWT signed with the key the AppHost generates (<c>InternalToken:SigningKey</c>).
/// </summary>
public sealed class InternalToken
{
    public const string Issuer = "ent-partnership";
    public const string Audience = "ent-partnership-services";
    public const string PartyClaim = "party";
    public const string RoleClaim = "role";
    public const string ServiceClaim = "svc";

    /// <summary>Tokens live this long; the gateway makes a new one well before the end.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    private readonly SigningCredentials _credentials;
    private readonly string _issuer;
    private readonly TimeProvider _time;
    private readonly JsonWebTokenHandler _handler = new();
    private ServiceToken? _serviceToken;

    public InternalToken(string signingKey, TimeProvider time)
    {
        SigningKey = CreateKey(signingKey);
        _credentials = new SigningCredentials(SigningKey, SecurityAlgorithms.HmacSha256);
        _issuer = Issuer;
        _time = time;
    }

    /// <summary>Tokens signed with an issuer's own key pair (ES256), named by its issuer (SPEC section 15).</summary>
    public InternalToken(IssuerKeys keys, TimeProvider time)
    {
        SigningKey = null!;
        _credentials = keys.Signing;
        _issuer = keys.Issuer;
        _time = time;
    }

    public SymmetricSecurityKey SigningKey { get; }

    /// <summary>A token for a partner's key: the party it acts for (if any) and its roles.</summary>
    public string IssueForPartner(string keyId, string? party, IEnumerable<string> roles) => IssueFor("key:" + keyId, party, roles);

    /// <summary>A token for a signed-in person (<c>person:&lt;subject&gt;</c>): the party and roles its enrolment gives.</summary>
    public string IssueForPerson(string subject, string? party, IEnumerable<string> roles) => IssueFor("person:" + subject, party, roles);

    private string IssueFor(string subject, string? party, IEnumerable<string> roles)
    {
        var claims = new Dictionary<string, object> { [JwtRegisteredClaimNames.Sub] = subject };
        if (!string.IsNullOrEmpty(party))
        {
            claims[PartyClaim] = party;
        }

        claims[RoleClaim] = roles.ToArray();
        return Issue(claims);
    }

    /// <summary>A token for a service calling another service, made again half-way through its life.</summary>
    public string IssueForService(string service)
    {
        var now = _time.GetUtcNow();
        if (_serviceToken is { } known && known.Service == service && now < known.RenewAfter)
        {
            return known.Token;
        }

        var token = Issue(new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Sub] = "service:" + service,
            [ServiceClaim] = service,
            [RoleClaim] = new[] { RoleNames.Service },
        });
        _serviceToken = new ServiceToken(service, token, now + Lifetime / 2);
        return token;
    }

    /// <summary>A service's own identity: its name and the role <c>service</c>, no party, no other role.</summary>
    public static ClaimsPrincipal ServicePrincipal(string service, string authenticationType) => new(new ClaimsIdentity(
        [
            new Claim(JwtRegisteredClaimNames.Sub, "service:" + service),
            new Claim(ServiceClaim, service),
            new Claim(RoleClaim, RoleNames.Service),
        ],
        authenticationType, JwtRegisteredClaimNames.Sub, RoleClaim));

    private sealed record ServiceToken(string Service, string Token, DateTimeOffset RenewAfter);

    private string Issue(Dictionary<string, object> claims)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            Claims = claims,
            SigningCredentials = _credentials,
        });
    }

    /// <summary>What a service checks: issuer, audience, lifetime and signature, with little clock skew.</summary>
    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = SigningKey,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = TimeSpan.FromSeconds(10),
        NameClaimType = JwtRegisteredClaimNames.Sub,
        RoleClaimType = RoleClaim,
    };

    private static SymmetricSecurityKey CreateKey(string signingKey)
    {
        var bytes = Encoding.UTF8.GetBytes(signingKey);
        if (bytes.Length < 32)
        {
            throw new InvalidOperationException("InternalToken:SigningKey must be at least 32 bytes long.");
        }

        return new SymmetricSecurityKey(bytes);
    }
}
