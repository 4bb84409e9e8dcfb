using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Ent.Partnership.Identity;

/// <summary>
/// The provider the identity project brokers (<c>Identity:Upstream</c>): ProConnect for public agents, or any
/// OpenID Connect provider. Persons sign in there; the identity project keeps who they are and issues the
/// suite's own tokens, so the upstream's tokens never reach the gateway.
/// </summary>
public sealed class UpstreamSettings
{
    /// <summary>The provider's issuer; its discovery document is under it. None: no upstream.</summary>
    public Uri? Authority { get; init; }

    public string ClientId { get; init; } = "";

    /// <summary>The client's secret at the provider, when it gives one (ProConnect does); none for a public client with PKCE.</summary>
    public string? ClientSecret { get; init; }

    /// <summary>The provider's name on the sign-in page.</summary>
    public string DisplayName { get; init; } = "ProConnect";

    /// <summary>What to ask for; when none, ProConnect's names for who the agent is and for the SIRET of their organisation.</summary>
    public string[] Scopes { get; init; } = [];

    public IEnumerable<string> RequestedScopes => Scopes.Length > 0 ? Scopes : [OpenIdConnectScope.OpenId, "email", "given_name", "usual_name", Upstream.Siret];

    /// <summary>Whether the provider verifies every e-mail it gives (ProConnect does); otherwise only those it says are verified are kept.</summary>
    public bool EmailsVerified { get; init; }
}

public static class Upstream
{
    public const string Scheme = "upstream";
    public const string Path = "/connect/upstream";

    /// <summary>The claim naming the provider that vouched for the person: the gateway's enrolments name it.</summary>
    public const string IdentityProvider = "idp";

    /// <summary>The SIRET of the person's organisation, as ProConnect names it.</summary>
    public const string Siret = "siret";

    /// <summary>What the tokens say of a person beyond its subject and name, when known.</summary>
    public static readonly string[] PersonClaims = [Claims.Email, Claims.EmailVerified, Siret, IdentityProvider];

    public static AuthenticationBuilder AddUpstream(this AuthenticationBuilder authentication, UpstreamSettings upstream) =>
        authentication.AddOpenIdConnect(Scheme, upstream.DisplayName, options =>
        {
            options.Authority = upstream.Authority!.ToString();
            options.RequireHttpsMetadata = upstream.Authority.Scheme == Uri.UriSchemeHttps;
            options.ClientId = upstream.ClientId;
            options.ClientSecret = upstream.ClientSecret;
            options.ResponseType = OpenIdConnectResponseType.Code;
            // Back by a top-level redirect, so that the correlation cookies can be SameSite=Lax: they then also work
            // on http://localhost in Development; behind TLS they are Secure as the request is.
            options.ResponseMode = OpenIdConnectResponseMode.Query;
            options.CorrelationCookie.SameSite = options.NonceCookie.SameSite = SameSiteMode.Lax;
            options.CorrelationCookie.SecurePolicy = options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.UsePkce = true;
            options.CallbackPath = Path + "/callback";
            options.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            options.MapInboundClaims = false;
            options.GetClaimsFromUserInfoEndpoint = true;
            foreach (var claim in new[] { "usual_name", Claims.EmailVerified, Siret })
            {
                options.ClaimActions.MapUniqueJsonKey(claim, claim);
            }

            options.Scope.Clear();
            foreach (var scope in upstream.RequestedScopes)
            {
                options.Scope.Add(scope);
            }

            options.Events.OnTicketReceived = async context =>
            {
                var configuration = await options.ConfigurationManager!.GetConfigurationAsync(context.HttpContext.RequestAborted);
                context.Principal = Brokered(context.Principal!, configuration.Issuer, upstream.EmailsVerified);
            };
        });

    /// <summary>Sends the browser to the provider, and back to its <c>returnUrl</c> (a path of this site) once signed in.</summary>
    public static void MapUpstream(this WebApplication app) =>
        app.MapGet(Path, (string? returnUrl) =>
            Results.Challenge(new AuthenticationProperties { RedirectUri = PersonPicker.LocalOrRoot(returnUrl) }, [Scheme]));

    /// <summary>
    /// The person as this site keeps it: the provider's subject, a name to read, the provider, and the e-mail only
    /// when verified (an enrolment by e-mail trusts it), with the organisation's SIRET.
    /// </summary>
    public static ClaimsPrincipal Brokered(ClaimsPrincipal person, string issuer, bool emailsVerified)
    {
        string? Claim(string type) => person.FindFirst(type)?.Value is { Length: > 0 } value ? value : null;
        var subject = Claim(Claims.Subject) ?? throw new InvalidOperationException("The upstream provider gave no subject.");
        var email = Claim(Claims.Email);
        var fullName = string.Join(' ', new[] { Claim(Claims.GivenName), Claim("usual_name") ?? Claim(Claims.FamilyName) }.OfType<string>());
        var identity = new ClaimsIdentity(CookieAuthenticationDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.AddClaim(new Claim(Claims.Subject, subject));
        identity.AddClaim(new Claim(Claims.Name, Claim(Claims.Name) ?? (fullName.Length > 0 ? fullName : email ?? subject)));
        identity.AddClaim(new Claim(IdentityProvider, issuer));
        if (email is not null && (emailsVerified || string.Equals(Claim(Claims.EmailVerified), "true", StringComparison.OrdinalIgnoreCase)))
        {
            identity.AddClaim(new Claim(Claims.Email, email));
            identity.AddClaim(new Claim(Claims.EmailVerified, "true", ClaimValueTypes.Boolean));
        }

        if (Claim(Siret) is { } siret)
        {
            identity.AddClaim(new Claim(Siret, siret));
        }

        return new ClaimsPrincipal(identity);
    }
}
