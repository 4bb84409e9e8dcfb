using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace Ent.Partnership.Gateway.Tests;

/// <summary>The gateway's own answers: keys, rates, bodies, CORS; each one a <c>google.rpc.Status</c>.</summary>
public sealed class LimitsTests(GatewayFactory gateway) : IClassFixture<GatewayFactory>
{
    private readonly HttpClient _client = gateway.CreateClient();

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        return _client.SendAsync(request);
    }

    private static async Task<int> StatusCodeOfBodyAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));
        return body.GetProperty("code").GetInt32();
    }

    private static StringContent Json(int bytes) => new("{\"csv\": \"" + new string('x', bytes) + "\"}", Encoding.UTF8, "application/json");

    [Fact]
    public async Task ARequestWithoutAKnownKey_OrWithAnExpiredOne_Is401()
    {
        var none = await SendAsync(HttpMethod.Get, "/v1/parties", null);
        var unknown = await SendAsync(HttpMethod.Get, "/v1/parties", "no-such-key");
        var expired = await SendAsync(HttpMethod.Get, "/v1/parties", "test-expired-key");

        Assert.Equal((HttpStatusCode.Unauthorized, 16), (none.StatusCode, await StatusCodeOfBodyAsync(none)));
        Assert.Equal((HttpStatusCode.Unauthorized, 16), (unknown.StatusCode, await StatusCodeOfBodyAsync(unknown)));
        Assert.Equal((HttpStatusCode.Unauthorized, 16), (expired.StatusCode, await StatusCodeOfBodyAsync(expired)));
    }

    public static TheoryData<string, string[]> TwoCredentials() => new()
    {
        { "two different keys", ["X-Api-Key: test-admin-key", "Authorization: Bearer test-slow-key"] },
        { "a valid key beside an unknown one", ["X-Api-Key: no-such-key", "Authorization: Bearer test-admin-key"] },
        { "the same header twice", ["X-Api-Key: test-admin-key", "X-Api-Key: test-admin-key"] },
        { "two Authorization headers", ["Authorization: Bearer test-admin-key", "Authorization: Bearer test-admin-key"] },
        { "an empty bearer", ["Authorization: Bearer "] },
        { "another scheme", ["Authorization: Basic dGVzdDp0ZXN0"] },
    };

    [Theory]
    [MemberData(nameof(TwoCredentials))]
    public async Task CredentialsTheGatewayWouldHaveToChooseBetween_Are401_ConflictingCredentials(string why, string[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/parties");
        foreach (var header in headers)
        {
            var (name, value) = (header[..header.IndexOf(':')], header[(header.IndexOf(':') + 1)..].Trim());
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await _client.SendAsync(request);

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{why}: {(int)response.StatusCode}");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(16, body.GetProperty("code").GetInt32());
        Assert.Equal("CONFLICTING_CREDENTIALS", body.GetProperty("details")[0].GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("  ", "Bearer test-admin-key")]
    [InlineData(null, "Bearer")]
    public void AnEmptyCredential_Conflicts(string? apiKey, string? authorization)
    {
        // HttpClient does not send an empty header: the rule is read on the headers themselves.
        Microsoft.AspNetCore.Http.IHeaderDictionary headers = new Microsoft.AspNetCore.Http.HeaderDictionary();
        if (apiKey is not null)
        {
            headers[Credentials.ApiKeyHeader] = apiKey;
        }

        if (authorization is not null)
        {
            headers.Authorization = authorization;
        }

        Assert.Equal((null, true), Credentials.Read(headers));
    }

    [Fact]
    public async Task TheSameKeyInBothHeaders_IsOneCredential()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/parties");
        request.Headers.Add("X-Api-Key", "test-admin-key");
        request.Headers.Add("Authorization", "Bearer test-admin-key");

        var response = await _client.SendAsync(request);

        // Past the key check: no service stands behind this gateway.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task AKeyBeyondItsBurst_Gets429WithRetryAfter_AndOtherKeysGoOn()
    {
        // Bodies too large are answered by the gateway at once: four requests well within the second.
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await SendAsync(HttpMethod.Post, "/v1/conventions", "test-slow-key", Json(1024 * 1024 + 1)));
        }

        Assert.All(answers[..3], a => Assert.Equal(HttpStatusCode.RequestEntityTooLarge, a.StatusCode));
        var refused = answers[3];
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(8, await StatusCodeOfBodyAsync(refused));
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {refused.Headers.RetryAfter}");
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await SendAsync(HttpMethod.Get, "/v1/parties", "test-admin-key")).StatusCode);
    }

    [Fact]
    public async Task ABodyOverOneMebibyte_Is413_ButAnImportMayCarrySixteen()
    {
        var large = await SendAsync(HttpMethod.Post, "/v1/conventions", "test-admin-key", Json(1024 * 1024 + 1));
        var import = await SendAsync(HttpMethod.Post, "/v1/parties:importSchools", "test-admin-key", Json(4 * 1024 * 1024));
        var tooLargeImport = await SendAsync(HttpMethod.Post, "/v1/parties:importSchools", "test-admin-key", Json(16 * 1024 * 1024 + 1));

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, 8), (large.StatusCode, await StatusCodeOfBodyAsync(large)));
        Assert.NotEqual(HttpStatusCode.RequestEntityTooLarge, import.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLargeImport.StatusCode);
    }

    [Fact]
    public async Task AServiceThatDoesNotAnswer_GivesAStatusBody()
    {
        var response = await SendAsync(HttpMethod.Get, "/v1/parties", "test-admin-key");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(14, await StatusCodeOfBodyAsync(response));
    }

    [Fact]
    public async Task AKeyAddedOrRevokedInConfiguration_AppliesWithoutARestart()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/v1/parties", "test-new-key")).StatusCode);

        gateway.Keys.Change("Gateway:ApiKeys:3:Id", "test-new");
        gateway.Keys.Change("Gateway:ApiKeys:3:KeySha256", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("test-new-key"))));
        gateway.Keys.Change("Gateway:ApiKeys:3:Roles:0", "observer");
        Assert.NotEqual(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/v1/parties", "test-new-key")).StatusCode);

        gateway.Keys.Change("Gateway:ApiKeys:3:KeySha256", null);
        gateway.Keys.Change("Gateway:ApiKeys:3:Roles:0", null);
        gateway.Keys.Change("Gateway:ApiKeys:3:Id", null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/v1/parties", "test-new-key")).StatusCode);
    }

    [Fact]
    public async Task AReloadGivingTwoKeysOneId_KeepsThePreviousKeys()
    {
        Assert.NotEqual(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/v1/parties", "test-admin-key")).StatusCode);

        gateway.Keys.Change("Gateway:ApiKeys:4:Id", "test-admin");
        gateway.Keys.Change("Gateway:ApiKeys:4:Key", "test-twin-key");
        try
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/v1/parties", "test-twin-key")).StatusCode);
            Assert.NotEqual(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/v1/parties", "test-admin-key")).StatusCode);
        }
        finally
        {
            gateway.Keys.Change("Gateway:ApiKeys:4:Key", null);
            gateway.Keys.Change("Gateway:ApiKeys:4:Id", null);
        }
    }

    [Fact]
    public void AKeyWithoutAnId_StopsTheGatewayAtStart()
    {
        using var factory = new GatewayFactory();
        using var broken = factory.WithWebHostBuilder(builder => builder.ConfigureAppConfiguration(configuration =>
            configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Gateway:ApiKeys:0:Id"] = "" })));
        var refusal = Assert.Throws<InvalidOperationException>(() => broken.CreateClient());
        Assert.Contains("Gateway:ApiKeys:0:Id", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APreflightFromAConfiguredOrigin_IsAllowed_AndFromAnotherIsNot()
    {
        async Task<HttpResponseMessage> PreflightAsync(string origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Options, "/v1/communications");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "POST");
            request.Headers.Add("Access-Control-Request-Headers", "x-api-key, content-type");
            return await _client.SendAsync(request);
        }

        var partner = await PreflightAsync("https://partenaire.example");
        var stranger = await PreflightAsync("https://ailleurs.example");

        Assert.Equal(["https://partenaire.example"], partner.Headers.GetValues("Access-Control-Allow-Origin"));
        Assert.False(stranger.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
