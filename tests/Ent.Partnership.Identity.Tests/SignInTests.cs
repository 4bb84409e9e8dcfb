using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ent.Partnership.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ent.Partnership.Identity.Tests;

/// <summary>
/// A person signing in to the console as a browser does: the authorization code flow with PKCE, the
/// development persons' page, the access token the gateway will take.
/// </summary>
public sealed partial class SignInTests(IdentityFactory identity) : IClassFixture<IdentityFactory>
{
    [Fact]
    public async Task TheSignInPage_ListsTheDevelopmentPersons_InFrench()
    {
        var page = await identity.Browser().GetStringAsync("/connect/choose");

        Assert.Contains("<html lang=\"fr\">", page, StringComparison.Ordinal);
        Assert.Contains("Chargée de communication — Région Grand Est", WebUtility.HtmlDecode(page), StringComparison.Ordinal);
        Assert.Contains("Relecteur — Rectorat de Nancy-Metz", WebUtility.HtmlDecode(page), StringComparison.Ordinal);
        Assert.Equal(8, SubjectButton().Matches(page).Count);
    }

    [Fact]
    public async Task APersonSignedIn_GetsAnAccessTokenForTheApi_SignedWithTheKeyItsSeedMakes()
    {
        var browser = identity.Browser();
        var (verifier, challenge) = PersonSignIn.Pkce();
        var code = await PersonSignIn.CodeAsync(browser, challenge, "dev-region-grand-est");

        var answer = await PersonSignIn.ExchangeAsync(browser, code, verifier);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var tokens = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        var keys = new JsonWebKeySet(await browser.GetStringAsync("/.well-known/jwks")).GetSigningKeys();
        var validated = await new JsonWebTokenHandler().ValidateTokenAsync(accessToken, new TokenValidationParameters
        {
            ValidIssuer = "http://localhost/",
            ValidAudience = "ent-partnership-api",
            IssuerSigningKeys = keys,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        });
        Assert.True(validated.IsValid, validated.Exception?.Message);
        Assert.Equal("dev-region-grand-est", validated.Claims["sub"]);
        Assert.Equal("Chargée de communication — Région Grand Est", validated.Claims["name"]);
        Assert.Equal("dev-region-grand-est", new JsonWebToken(tokens.GetProperty("id_token").GetString()).Subject);

        // A restart (another process with the same seed) publishes the same key: tokens already given stay valid.
        await using var restarted = new IdentityFactory();
        var republished = new JsonWebKeySet(await restarted.CreateClient().GetStringAsync("/.well-known/jwks")).GetSigningKeys();
        Assert.Equal(keys.Select(k => k.KeyId), republished.Select(k => k.KeyId));
    }

    [Fact]
    public async Task ACodeWithoutItsVerifier_OrWithAnother_GetsNoToken()
    {
        var browser = identity.Browser();
        var (_, challenge) = PersonSignIn.Pkce();
        var code = await PersonSignIn.CodeAsync(browser, challenge, "dev-rectorat-nancy-metz");

        var withoutVerifier = await PersonSignIn.ExchangeAsync(browser, code, null);
        var withAnother = await PersonSignIn.ExchangeAsync(browser, code, PersonSignIn.Pkce().Verifier);

        Assert.Equal(HttpStatusCode.BadRequest, withoutVerifier.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, withAnother.StatusCode);
        Assert.Contains("invalid_grant", await withAnother.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("plain")]
    public async Task AnAuthorizationRequestWithoutPkceS256_IsRefused(string? method)
    {
        var path = QueryHelpers.AddQueryString("/connect/authorize", new Dictionary<string, string?>
        {
            ["client_id"] = PersonSignIn.Console, ["redirect_uri"] = PersonSignIn.Callback, ["response_type"] = "code", ["scope"] = "openid api", ["state"] = "s",
        });
        if (method is not null)
        {
            path = QueryHelpers.AddQueryString(path, new Dictionary<string, string?> { ["code_challenge"] = PersonSignIn.Pkce().Verifier, ["code_challenge_method"] = method });
        }

        var answer = await identity.Browser().GetAsync(path);

        var location = answer.Headers.Location?.ToString() ?? "";
        Assert.True(answer.StatusCode == HttpStatusCode.BadRequest || location.Contains("error=invalid_request", StringComparison.Ordinal),
            $"{answer.StatusCode} {location}");
        Assert.DoesNotContain("code=", location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChoosingAPerson_NeedsThePagesToken_AKnownPerson_AndGoesBackOnlyToThisSite()
    {
        var browser = identity.Browser();
        var page = await browser.GetStringAsync("/connect/choose?returnUrl=" + Uri.EscapeDataString("https://ailleurs.example/"));
        var token = PersonSignIn.AntiforgeryToken(page);
        Task<HttpResponseMessage> Choose(string subject, string? withToken) => browser.PostAsync("/connect/choose", new FormUrlEncodedContent(
            new Dictionary<string, string> { ["__RequestVerificationToken"] = withToken ?? "", ["returnUrl"] = "https://ailleurs.example/", ["subject"] = subject }));

        Assert.Equal(HttpStatusCode.BadRequest, (await Choose("dev-cea", withToken: null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Choose("quelqu-un", token)).StatusCode);
        var chosen = await Choose("dev-cea", token);
        Assert.Equal(HttpStatusCode.Redirect, chosen.StatusCode);
        Assert.Equal("/", chosen.Headers.Location!.ToString());
    }

    [GeneratedRegex("<button type=\"submit\" name=\"subject\"")]
    private static partial Regex SubjectButton();
}
