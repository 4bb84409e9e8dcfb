using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.Tokens;

namespace Ent.Partnership.Tests.Support;

/// <summary>
/// A person signing in to the console through the identity project as a browser does: the authorization code
/// flow with PKCE (S256), the development persons' page. The client keeps cookies and does not follow redirects.
/// Also compiled into the benchmark runner (without xunit): an unexpected answer throws.
/// </summary>
public static partial class PersonSignIn
{
    public const string Console = "ent-console";
    public const string Callback = "http://localhost:8081/signin-oidc";

    public static (string Verifier, string Challenge) Pkce()
    {
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    public static string AuthorizePath(string challenge, string callback = Callback) =>
        QueryHelpers.AddQueryString("/connect/authorize", new Dictionary<string, string?>
        {
            ["client_id"] = Console,
            ["redirect_uri"] = callback,
            ["response_type"] = "code",
            ["scope"] = "openid profile api",
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
            ["state"] = "etat-1",
        });

    /// <summary>
    /// Signs <paramref name="subject"/> in through the persons' page; answers the code the console receives at
    /// <paramref name="callback"/> (its address as the identity project knows it).
    /// </summary>
    public static async Task<string> CodeAsync(HttpClient browser, string challenge, string subject, string callback = Callback)
    {
        var toSignIn = await browser.GetAsync(AuthorizePath(challenge, callback));
        Expect(toSignIn.StatusCode == HttpStatusCode.Redirect, $"the authorization request answered {toSignIn.StatusCode}");
        var page = await browser.GetStringAsync(toSignIn.Headers.Location);
        var chosen = await browser.PostAsync("/connect/choose", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AntiforgeryToken(page),
            ["returnUrl"] = WebUtility.HtmlDecode(ReturnUrl().Match(page).Groups[1].Value),
            ["subject"] = subject,
        }));
        Expect(chosen.StatusCode == HttpStatusCode.Redirect, $"choosing {subject} answered {chosen.StatusCode}");
        var back = await browser.GetAsync(chosen.Headers.Location);
        var location = back.Headers.Location?.ToString() ?? "";
        Expect(back.StatusCode == HttpStatusCode.Redirect && location.StartsWith(callback + "?", StringComparison.Ordinal),
            $"the identity project sent {subject} to {location} ({back.StatusCode}), not to {callback}");
        var query = QueryHelpers.ParseQuery(new Uri(location).Query);
        Expect(query["state"] == "etat-1", "the state did not come back");
        return query["code"].ToString();
    }

    /// <summary>The console's exchange of a code for tokens; no verifier when <paramref name="verifier"/> is null.</summary>
    public static Task<HttpResponseMessage> ExchangeAsync(HttpClient client, string code, string? verifier, string callback = Callback) =>
        client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = callback,
            ["client_id"] = Console,
            ["code_verifier"] = verifier ?? "",
        }.Where(p => p.Value.Length > 0)));

    /// <summary>The whole sign-in of <paramref name="subject"/>: its access token.</summary>
    public static async Task<string> AccessTokenAsync(HttpClient browser, string subject, string callback = Callback)
    {
        var (verifier, challenge) = Pkce();
        var answer = await ExchangeAsync(browser, await CodeAsync(browser, challenge, subject, callback), verifier, callback);
        Expect(answer.StatusCode == HttpStatusCode.OK, $"the token endpoint answered {answer.StatusCode}");
        return JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
    }

    private static void Expect(bool condition, string otherwise)
    {
        if (!condition)
        {
            throw new InvalidOperationException(otherwise);
        }
    }

    public static string AntiforgeryToken(string page) => Antiforgery().Match(page).Groups[1].Value;

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();

    [GeneratedRegex("name=\"returnUrl\" value=\"([^\"]*)\"")]
    private static partial Regex ReturnUrl();
}
