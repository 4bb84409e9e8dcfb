using System.Net;
using System.Text;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Suite.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ent.Partnership.Resilience;

/// <summary>
/// Nobody gets in where they do not belong: straight to a service with no token, a forged, tampered,
/// expired or unsigned one; through the gateway with identity headers of one's own, or with a party's key
/// on another party's message.
/// </summary>
[Collection(SuiteFixture.Collection)]
public sealed class IntrusionTests(SuiteFixture suite) : IAsyncLifetime
{
    private const string Path = "/v1/parties/region-grand-est";

    private readonly Gateway _gateway = new(suite.Gateway);
    private readonly HttpClient _service = new() { BaseAddress = suite.App.GetEndpoint("parties", "http"), Timeout = TimeSpan.FromSeconds(30) };
    private IssuerKeys _gatewayKeys = null!;
    private IssuerKeys _communicationsKeys = null!;

    public async Task InitializeAsync()
    {
        await suite.ImportSchoolsOnceAsync();
        var model = suite.App.Services.GetRequiredService<DistributedApplicationModel>();
        async Task<IssuerKeys> KeysOfAsync(string issuer) => new(issuer,
            (await model.Resources.OfType<ParameterResource>().Single(p => p.Name == "token-seed-" + issuer).GetValueAsync(CancellationToken.None))!);
        _gatewayKeys = await KeysOfAsync("gateway");
        _communicationsKeys = await KeysOfAsync("communications");
    }

    public Task DisposeAsync()
    {
        _service.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task AServiceCalledStraight_AnswersOnlyAValidInternalToken()
    {
        var valid = new InternalToken(_gatewayKeys, TimeProvider.System).IssueForPartner("intruder", "parties/region-grand-est", ["admin"]);
        var expired = new InternalToken(_gatewayKeys, new Clock(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(5))).IssueForPartner("intruder", null, ["admin"]);
        var otherKey = new InternalToken(new IssuerKeys("gateway", new string('k', 48)), TimeProvider.System).IssueForPartner("intruder", null, ["admin"]);
        var sharedKey = new InternalToken(new string('k', 48), TimeProvider.System).IssueForPartner("intruder", null, ["admin"]);
        var parts = valid.Split('.');
        var tampered = $"{parts[0]}.{Encode(Decode(parts[1]).Replace("region-grand-est", "aca-strasbourg", StringComparison.Ordinal))}.{parts[2]}";
        var unsigned = $"{Encode("""{"alg":"none","typ":"JWT"}""")}.{parts[1]}.";

        Assert.Equal(HttpStatusCode.OK, (await StraightAsync("Bearer " + valid)).StatusCode); // the control: the port answers a good token
        foreach (var (what, authorization) in new[]
        {
            ("no token", null),
            ("a partner's API key", "Bearer dev-admin-key"),
            ("a token signed with another key", "Bearer " + otherKey),
            ("a token signed with a shared secret (HS256)", "Bearer " + sharedKey),
            ("an expired token", "Bearer " + expired),
            ("a token whose party was changed", "Bearer " + tampered),
            ("an unsigned token", "Bearer " + unsigned),
        })
        {
            using var response = await StraightAsync(authorization);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{what}: {(int)response.StatusCode}");
            Assert.Equal(16, (await Gateway.JsonOf(response)).GetProperty("code").GetInt32()); // UNAUTHENTICATED
        }
    }

    [Fact]
    public async Task AServicesOwnIdentity_CallsOnlyItsOperations_AndIsNeverAPartnerOrAnAdmin()
    {
        var communications = "Bearer " + new InternalToken(_communicationsKeys, TimeProvider.System).IssueForService("communications");
        var create = """{"kind":"ENT_PROVIDER","displayName":"Prestataire intrus"}""";

        // Listed for it: the parties' reads.
        Assert.Equal(HttpStatusCode.OK, (await StraightAsync(communications)).StatusCode);
        foreach (var (what, method, path, body) in new[]
        {
            ("a write", HttpMethod.Post, "/v1/parties", create),
            ("a read not listed for it", HttpMethod.Get, "/v1/parties/region-grand-est:history", null),
        })
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("Authorization", communications);
            using var response = await _service.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{what}: {(int)response.StatusCode}");
            Assert.Equal(7, (await Gateway.JsonOf(response)).GetProperty("code").GetInt32()); // PERMISSION_DENIED
        }

        // Its token claiming an admin's role and a party besides: still that service only.
        var claims = new Dictionary<string, object>
        {
            [InternalToken.ServiceClaim] = "communications",
            [InternalToken.RoleClaim] = new[] { RoleNames.Admin },
            [InternalToken.PartyClaim] = "parties/region-grand-est",
        };
        using var forged = new HttpRequestMessage(HttpMethod.Post, "/v1/parties") { Content = new StringContent(create, Encoding.UTF8, "application/json") };
        forged.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Signed(claims));
        using var refused = await _service.SendAsync(forged);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task AServicesKey_SignsForNoPartnerAdminOrOtherService_AtAnyService()
    {
        var communicationsKey = new InternalToken(_communicationsKeys, TimeProvider.System);
        foreach (var (service, path) in new[]
        {
            ("parties", "/v1/parties/region-grand-est"),
            ("conventions", "/v1/conventions"),
            ("obligations", "/v1/obligations"),
            ("communications", "/v1/communications"),
        })
        {
            using var client = new HttpClient { BaseAddress = suite.App.GetEndpoint(service, "http"), Timeout = TimeSpan.FromSeconds(30) };
            foreach (var (what, token) in new[]
            {
                ("an admin", communicationsKey.IssueForPartner("forged", null, ["admin"])),
                ("a partner", communicationsKey.IssueForPartner("forged", "parties/region-grand-est", ["collectivity"])),
                ("another service", communicationsKey.IssueForService("conventions")),
            })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
                using var response = await client.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"communications' key signing for {what}, at {service}: {(int)response.StatusCode}");
            }
        }
    }

    [Fact]
    public async Task IdentityHeadersSentByAClient_AreIgnored()
    {
        var forged = new InternalToken(_gatewayKeys, TimeProvider.System).IssueForPartner("intruder", null, ["admin"]);
        var create = """{"kind":"ENT_PROVIDER","displayName":"Prestataire intrus"}""";

        // An observer's key with headers claiming more: the headers are dropped, the observer may not write.
        var observer = await _gateway.SendAsync(HttpMethod.Post, "/v1/parties", "dev-observer-key", create, request =>
        {
            request.Headers.Add("X-Ent-Party", "parties/region-grand-est");
            request.Headers.Add("X-Ent-Roles", "admin");
            request.Headers.Add("X-Caller-Party", "parties/region-grand-est");
            request.Headers.Add("X-Forwarded-User", "admin");
        });
        await Gateway.AssertStatusAsync(observer, HttpStatusCode.Forbidden, 7);

        // Even a well-signed internal token is no API key at the gateway.
        var token = await _gateway.SendAsync(HttpMethod.Post, "/v1/parties", null, create, request => request.Headers.Authorization = new("Bearer", forged));
        await Gateway.AssertStatusAsync(token, HttpStatusCode.Unauthorized, 16);
    }

    [Fact]
    public async Task APartysKey_DoesNotActOnAnotherPartysMessage()
    {
        var message = JsonSerializer.Serialize(new
        {
            title = "Journée portes ouvertes",
            body = "Le lycée ouvre ses portes samedi matin.",
            category = "EVENT",
            audiences = new[] { "PARENTS" },
            targets = new { schools = new[] { "parties/uai-0571091b" } },
            expireTime = DateTimeOffset.UtcNow.AddDays(10).ToString("yyyy-MM-ddTHH:mm:ssZ"),
        });
        var name = (await _gateway.OkAsync(HttpMethod.Post, "/v1/communications", "dev-region-key", message)).GetProperty("name").GetString()!;

        // A Département edits, submits or withdraws the Région's draft.
        await AssertRefusedAsync(await _gateway.SendAsync(HttpMethod.Patch, $"/v1/{name}?updateMask=title", "dev-moselle-key", """{"title":"Détourné"}"""));
        await AssertRefusedAsync(await _gateway.SendAsync(HttpMethod.Post, $"/v1/{name}:submit", "dev-moselle-key", "{}"));
        await _gateway.OkAsync(HttpMethod.Post, $"/v1/{name}:submit", "dev-region-key", "{}");

        // The rectorat of another académie approves it.
        await AssertRefusedAsync(await _gateway.SendAsync(HttpMethod.Post, $"/v1/{name}:approve", "dev-rectorat-strasbourg-key", "{}"));

        var stored = await _gateway.OkAsync(HttpMethod.Get, "/v1/" + name, "dev-region-key");
        Assert.Equal(("Journée portes ouvertes", "PENDING_VALIDATION"), (stored.GetProperty("title").GetString(), stored.GetProperty("state").GetString()));
    }

    /// <summary>PERMISSION_DENIED, or NOT_FOUND where the caller may not even see the resource.</summary>
    private static async Task AssertRefusedAsync(HttpResponseMessage response)
    {
        var body = await Gateway.JsonOf(response);
        Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"{(int)response.StatusCode}: {body}");
        Assert.Contains(body.GetProperty("code").GetInt32(), new[] { 7, 5 });
    }

    private async Task<HttpResponseMessage> StraightAsync(string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Path);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return await _service.SendAsync(request);
    }

    /// <summary>A token with these claims, signed with the communications service's key.</summary>
    private string Signed(Dictionary<string, object> claims) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = _communicationsKeys.Issuer,
        Audience = InternalToken.Audience,
        Expires = DateTime.UtcNow.AddMinutes(1),
        Claims = claims,
        SigningCredentials = _communicationsKeys.Signing,
    });

    private static string Decode(string part) => Encoding.UTF8.GetString(Convert.FromBase64String(part.Replace('-', '+').Replace('_', '/').PadRight(part.Length + ((4 - (part.Length % 4)) % 4), '=')));

    private static string Encode(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A clock stopped at <paramref name="now"/>: tokens made by it expired long ago.</summary>
    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
