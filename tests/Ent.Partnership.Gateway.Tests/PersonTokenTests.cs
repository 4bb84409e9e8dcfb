using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Ent.Partnership.ServiceDefaults.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ent.Partnership.Gateway.Tests;

/// <summary>
/// Persons' access tokens at the gateway (SPEC section 13): taken from the identity project whose discovery
/// document and keys a local issuer serves here, for the API's audience, now, ES256; every other token is 401,
/// and a person <c>Gateway:People</c> does not name is 403. The same local server stands behind the gateway as
/// the parties service and echoes the internal token it receives.
/// </summary>
public sealed class PersonTokenTests : IAsyncLifetime
{
    private const string Audience = "ent-partnership-api";
    private const string Upstream = "https://proconnect.example/";
    private static readonly IssuerKeys IdentityKeys = new("identity", "the-identity-seed-of-these-tests-of-32-bytes");
    private static readonly IssuerKeys OtherKeys = new("identity", "another-seed-nobody-published-anywhere-32b");

    private WebApplication _identity = null!;
    private WebApplicationFactory<Program> _gateway = null!;
    private HttpClient _client = null!;
    private string _issuer = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _identity = builder.Build();
        _identity.MapGet("/.well-known/openid-configuration", () => Results.Json(new { issuer = _issuer, jwks_uri = _issuer + "jwks" }));
        _identity.MapGet("/jwks", () => Results.Text(IdentityKeys.Jwks(), "application/json"));
        _identity.MapGet("/v1/parties", (HttpContext context) => Results.Json(new { authorization = context.Request.Headers.Authorization.ToString() }));
        await _identity.StartAsync();
        var address = _identity.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _issuer = address + "/";

        _gateway = GatewayFactory.InProduction(gateway =>
        {
            gateway.UseSetting("Gateway:Identity:Authority", _issuer);
            gateway.UseSetting("Gateway:People:0:Subject", "dev-region-grand-est");
            gateway.UseSetting("Gateway:People:0:Party", "parties/region-grand-est");
            gateway.UseSetting("Gateway:People:0:Roles:0", "collectivity");
            gateway.UseSetting("Gateway:People:1:Issuer", Upstream);
            gateway.UseSetting("Gateway:People:1:Email", "agente@grandest.example");
            gateway.UseSetting("Gateway:People:1:Siret", "20005267800014");
            gateway.UseSetting("Gateway:People:1:Party", "parties/region-grand-est");
            gateway.UseSetting("Gateway:People:1:Roles:0", "collectivity");
            gateway.UseSetting("ReverseProxy:Clusters:parties:Destinations:parties:Address", address);
        });
        _client = _gateway.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _identity.DisposeAsync();
    }

    private string Token(
        string subject = "dev-region-grand-est", string? issuer = null, string audience = Audience, TimeSpan? expiresIn = null, TimeSpan? validIn = null,
        SigningCredentials? signing = null, params Claim[] claims)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? _issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", subject), .. claims]),
            NotBefore = now + (validIn ?? TimeSpan.FromMinutes(-1)),
            IssuedAt = now + (validIn ?? TimeSpan.FromMinutes(-1)),
            Expires = now + (expiresIn ?? TimeSpan.FromMinutes(30)),
            SigningCredentials = signing ?? IdentityKeys.Signing,
        });
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> CallAsync(string bearer, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/parties");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
        using var response = await (client ?? _client).SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
    }

    private static string Unsigned(string token)
    {
        var payload = token.Split('.')[1];
        return Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""") + "." + payload + ".";
    }

    /// <summary>HS256 keyed with what the identity publishes: the classic confusion of a public key for a secret.</summary>
    private string SignedWithThePublicKey()
    {
        var jwk = JsonDocument.Parse(IdentityKeys.Jwks()).RootElement.GetProperty("keys")[0];
        var secret = Encoding.UTF8.GetBytes(jwk.GetProperty("x").GetString() + jwk.GetProperty("y").GetString());
        return Token(signing: new SigningCredentials(new SymmetricSecurityKey(secret), SecurityAlgorithms.HmacSha256));
    }

    [Fact]
    public async Task AnEnrolledPersonsToken_GoesOnAsTheInternalToken_OfThePersonsPartyAndRoles()
    {
        var (status, body) = await CallAsync(Token());

        Assert.Equal(HttpStatusCode.OK, status);
        var internalToken = new JsonWebToken(body.GetProperty("authorization").GetString()!["Bearer ".Length..]);
        Assert.Equal("person:dev-region-grand-est", internalToken.Subject);
        Assert.Equal("parties/region-grand-est", internalToken.GetClaim("party").Value);
        Assert.Equal("collectivity", internalToken.GetClaim("role").Value);
        Assert.Equal("gateway", internalToken.Issuer);
    }

    [Fact]
    public async Task AValidTokenOfAPersonNobodyEnrolled_Is403_PersonNotEnrolled()
    {
        var (status, body) = await CallAsync(Token(subject: "inconnue"));

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal(7, body.GetProperty("code").GetInt32());
        Assert.Contains(body.GetProperty("details").EnumerateArray(), d => d.TryGetProperty("reason", out var reason) && reason.GetString() == "PERSON_NOT_ENROLLED");
    }

    /// <summary>A person the identity project brokered from the upstream provider, as its token describes them.</summary>
    private string Brokered(string subject = "pc-4521", string provider = Upstream, string email = "Agente@GrandEst.example", bool verified = true, string siret = "20005267800014") =>
        Token(subject, claims: [new Claim("idp", provider), new Claim("email", email), new Claim("email_verified", verified ? "true" : "false", ClaimValueTypes.Boolean), new Claim("siret", siret)]);

    [Fact]
    public async Task APersonEnrolledByProviderEmailAndSiret_GoesOnUnderTheProvidersSubject()
    {
        var (status, body) = await CallAsync(Brokered());

        Assert.Equal(HttpStatusCode.OK, status);
        var internalToken = new JsonWebToken(body.GetProperty("authorization").GetString()!["Bearer ".Length..]);
        Assert.Equal(("person:pc-4521", "parties/region-grand-est"), (internalToken.Subject, internalToken.GetClaim("party").Value));
    }

    public static TheoryData<string> NotEnrolled => ["e-mail not verified", "another SIRET", "another e-mail", "another provider", "a provider's person with a local subject"];

    [Theory]
    [MemberData(nameof(NotEnrolled))]
    public async Task ABrokeredPersonMatchingNoEnrolmentEntirely_Is403(string which)
    {
        var token = which switch
        {
            "e-mail not verified" => Brokered(verified: false),
            "another SIRET" => Brokered(siret: "13002526500013"),
            "another e-mail" => Brokered(email: "autre@grandest.example"),
            "another provider" => Brokered(provider: "https://autre-fournisseur.example/"),
            _ => Brokered(subject: "dev-region-grand-est", email: "inconnue@example.org"),
        };

        var (status, _) = await CallAsync(token);

        Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    public static TheoryData<string> Refusals => ["another issuer", "expired", "not yet valid", "another audience", "alg none", "HS256 with the public key", "a key never published", "not a token"];

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task EveryOtherToken_Is401(string which)
    {
        var token = which switch
        {
            "another issuer" => Token(issuer: "http://autre-fournisseur.example/"),
            "expired" => Token(expiresIn: TimeSpan.FromMinutes(-5), validIn: TimeSpan.FromMinutes(-20)),
            "not yet valid" => Token(validIn: TimeSpan.FromMinutes(10), expiresIn: TimeSpan.FromMinutes(40)),
            "another audience" => Token(audience: "ent-partnership-services"),
            "alg none" => Unsigned(Token()),
            "HS256 with the public key" => SignedWithThePublicKey(),
            "a key never published" => Token(signing: OtherKeys.Signing),
            _ => "abc.def.ghi",
        };

        var (status, body) = await CallAsync(token);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(16, body.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task ATokenAcceptedBefore_IsRefusedOnceExpired_ThoughTheGatewayRemembersValidTokens()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = _gateway.WithWebHostBuilder(b => b.ConfigureServices(services => services.AddSingleton<TimeProvider>(clock)));
        using var client = gateway.CreateClient();
        var token = Token(expiresIn: TimeSpan.FromMinutes(5));

        var before = await CallAsync(token, client);
        var again = await CallAsync(token, client);
        clock.Advance(TimeSpan.FromMinutes(6));
        var after = await CallAsync(token, client);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Unauthorized), (before.Status, again.Status, after.Status));
    }

    [Fact]
    public async Task APersonsToken_WhenTheIdentityProjectDoesNotAnswer_Is503()
    {
        await using var gateway = _gateway.WithWebHostBuilder(b => b.UseSetting("Gateway:Identity:Authority", "http://127.0.0.1:9/"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/parties");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Token());

        using var response = await gateway.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }
}
