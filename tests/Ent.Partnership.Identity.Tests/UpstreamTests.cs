using System.Net;
using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ent.Partnership.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Ent.Partnership.Identity.Tests;

/// <summary>
/// The identity project brokering an upstream provider: here a second identity project, on its own loopback
/// address, whose persons carry an e-mail and a SIRET as ProConnect's agents do.
/// </summary>
public sealed partial class UpstreamTests
{
    [Fact]
    public async Task APersonSignedInUpstream_GetsTheSuitesToken_NamingTheProvider_TheVerifiedEmail_AndTheSiret()
    {
        int upstreamPort = RedisServer.FreePort(), port = RedisServer.FreePort();
        var upstreamAddress = $"http://127.0.0.1:{upstreamPort}";
        var address = $"http://localhost:{port}";
        await using var upstream = Started(upstreamPort, new()
        {
            ["Identity:Seed"] = "graine-du-fournisseur-amont-de-test",
            ["Identity:Persons:8:Subject"] = "agent-42",
            ["Identity:Persons:8:DisplayName"] = "Agente du service communication",
            ["Identity:Persons:8:Email"] = "agente@grandest.example",
            ["Identity:Persons:8:Siret"] = "20005267800014",
            ["Identity:Clients:1:ClientId"] = "ent-identity",
            ["Identity:Clients:1:DisplayName"] = "Identité du partenariat",
            ["Identity:Clients:1:RedirectUris:0"] = $"{address}/connect/upstream/callback",
        });
        await using var identity = Started(port, new()
        {
            ["Identity:Upstream:Authority"] = upstreamAddress,
            ["Identity:Upstream:ClientId"] = "ent-identity",
            ["Identity:Upstream:DisplayName"] = "Fournisseur de test",
            ["Identity:Upstream:Scopes:0"] = "openid",
            ["Identity:Upstream:Scopes:1"] = "profile",
            ["Identity:Upstream:Scopes:2"] = "email",
            ["Identity:Upstream:Scopes:3"] = "siret",
        });
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() });
        var (verifier, challenge) = PersonSignIn.Pkce();

        // The suite's sign-in page offers the provider; the provider's page its persons.
        var picker = await FollowAsync(browser, new Uri(new Uri(address), PersonSignIn.AuthorizePath(challenge)));
        var link = WebUtility.HtmlDecode(UpstreamLink().Match(await picker.Content.ReadAsStringAsync()).Groups[1].Value);
        var upstreamPage = await FollowAsync(browser, new Uri(new Uri(address), link));
        Assert.StartsWith($"{upstreamAddress}/connect/choose", upstreamPage.RequestMessage!.RequestUri!.ToString(), StringComparison.Ordinal);
        var html = await upstreamPage.Content.ReadAsStringAsync();
        var chosen = await browser.PostAsync($"{upstreamAddress}/connect/choose", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = PersonSignIn.AntiforgeryToken(html),
            ["returnUrl"] = WebUtility.HtmlDecode(ReturnUrl().Match(html).Groups[1].Value),
            ["subject"] = "agent-42",
        }));
        var back = await FollowAsync(browser, new Uri(new Uri(upstreamAddress), chosen.Headers.Location!), stopAt: PersonSignIn.Callback);
        var code = QueryHelpers.ParseQuery(back.Headers.Location!.Query)["code"].ToString();
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        var answer = await PersonSignIn.ExchangeAsync(client, code, verifier);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var token = new JsonWebToken(JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString());
        Assert.Equal(($"{address}/", "agent-42", $"{upstreamAddress}/"), (token.Issuer, token.Subject, token.GetClaim("idp").Value));
        Assert.Equal(("agente@grandest.example", "true", "20005267800014"),
            (token.GetClaim("email").Value, token.GetClaim("email_verified").Value, token.GetClaim("siret").Value));
        Assert.Equal("Agente du service communication", token.GetClaim("name").Value);
    }

    [Fact]
    public void AnEmailTheProviderDoesNotSayIsVerified_IsLeftOut_UnlessItVerifiesThemAll()
    {
        var agent = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim("sub", "a-1"), new Claim("email", "agent@exemple.fr"), new Claim("given_name", "Camille"), new Claim("usual_name", "Martin"), new Claim("siret", "13002526500013")]));

        var unverified = Upstream.Brokered(agent, "https://amont.example/", emailsVerified: false);
        var trusted = Upstream.Brokered(agent, "https://amont.example/", emailsVerified: true);

        Assert.Null(unverified.FindFirst("email"));
        Assert.Equal(("Camille Martin", "13002526500013", "https://amont.example/"),
            (unverified.FindFirst("name")!.Value, unverified.FindFirst("siret")!.Value, unverified.FindFirst("idp")!.Value));
        Assert.Equal(("agent@exemple.fr", "true"), (trusted.FindFirst("email")!.Value, trusted.FindFirst("email_verified")!.Value));
    }

    /// <summary>The identity project on a loopback port of its own, with these settings over Development's.</summary>
    private static WebApplicationFactory<Program> Started(int port, Dictionary<string, string?> settings)
    {
        var configured = new IdentityFactory().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
        configured.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        configured.StartServer();
        return configured;
    }

    /// <summary>Follows redirects across the two sites until a page, or a redirect to <paramref name="stopAt"/>.</summary>
    private static async Task<HttpResponseMessage> FollowAsync(HttpClient browser, Uri address, string? stopAt = null)
    {
        for (var hops = 0; hops < 10; hops++)
        {
            var answer = await browser.GetAsync(address);
            if (answer.StatusCode != HttpStatusCode.Redirect)
            {
                Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{address}: {answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
                return answer;
            }

            address = new Uri(address, answer.Headers.Location!);
            if (stopAt is not null && address.ToString().StartsWith(stopAt, StringComparison.Ordinal))
            {
                answer.Headers.Location = address;
                return answer;
            }
        }

        throw new InvalidOperationException($"Too many redirects, last to {address}.");
    }

    [GeneratedRegex("<a href=\"(/connect/upstream[^\"]*)\">Se connecter avec Fournisseur de test</a>")]
    private static partial Regex UpstreamLink();

    [GeneratedRegex("name=\"returnUrl\" value=\"([^\"]*)\"")]
    private static partial Regex ReturnUrl();
}
