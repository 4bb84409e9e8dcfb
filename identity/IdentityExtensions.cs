using System.Security.Claims;
using Ent.Partnership.ServiceDefaults.Identity;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Ent.Partnership.Identity;

/// <summary>
/// The suite's identity project on OpenIddict: the authorization code flow with PKCE for the console, access
/// tokens for the gateway's API (ES256, signed with a key pair made from a secret seed, so a restart keeps
/// it), and in Development a page where one picks a development person.
/// </summary>
public static class IdentityExtensions
{
    public const string Scope = "api";

    /// <summary>The scopes clients may ask for.</summary>
    public static readonly string[] AllowedScopes = [Scopes.OpenId, Scopes.Profile, Scopes.Email, Upstream.Siret, Scope];

    public static WebApplicationBuilder AddIdentityServer(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection("Identity").Get<IdentitySettings>() ?? new IdentitySettings();
        if (settings.Seed.Length == 0)
        {
            throw new InvalidOperationException("Identity:Seed is not configured; the AppHost provides it.");
        }

        var keys = new IssuerKeys("identity", settings.Seed);
        builder.Services.AddSingleton(settings);
        builder.Services.AddDbContext<DbContext>(options => options.UseInMemoryDatabase("identity").UseOpenIddict());
        var picksPersons = builder.Environment.IsDevelopment() && settings.Persons.Count > 0;
        var authentication = builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.LoginPath = picksPersons ? PersonPicker.Path : Upstream.Path;
                options.Cookie.Name = "ent-identity";
                options.Cookie.SameSite = SameSiteMode.Lax;
            });
        if (settings.Upstream.Authority is not null)
        {
            authentication.AddUpstream(settings.Upstream);
        }

        builder.Services.AddAntiforgery();
        builder.Services.AddOpenIddict()
            .AddCore(options => options.UseEntityFrameworkCore().UseDbContext<DbContext>())
            .AddServer(options =>
            {
                options.SetAuthorizationEndpointUris("connect/authorize")
                    .SetTokenEndpointUris("connect/token")
                    .SetEndSessionEndpointUris("connect/logout")
                    .AllowAuthorizationCodeFlow()
                    .RequireProofKeyForCodeExchange()
                    .RegisterScopes(AllowedScopes)
                    .SetAccessTokenLifetime(settings.AccessTokenLifetime)
                    .AddSigningKey(keys.Current)
                    .AddEphemeralEncryptionKey()
                    .DisableAccessTokenEncryption()
                    // PKCE with S256 only: a "plain" challenge is the verifier itself, seen by whoever sees the request.
                    .Configure(server => server.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain));
                if (settings.Issuer is { } issuer)
                {
                    options.SetIssuer(issuer);
                }

                var aspNetCore = options.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough();
                if (builder.Environment.IsDevelopment())
                {
                    // Over plain http on localhost only: SPEC section 13, docs/decisions.md.
                    aspNetCore.DisableTransportSecurityRequirement();
                }
            });
        builder.Services.AddHostedService<ClientRegistration>();
        return builder;
    }

    public static WebApplication MapIdentity(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAntiforgery();
        app.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], (HttpContext context, IdentitySettings settings) => AuthorizeAsync(context, settings));
        app.MapMethods("/connect/logout", [HttpMethods.Get, HttpMethods.Post], LogoutAsync);
        if (app.Environment.IsDevelopment())
        {
            app.MapPersonPicker();
        }

        if (app.Services.GetRequiredService<IdentitySettings>().Upstream.Authority is not null)
        {
            app.MapUpstream();
        }

        return app;
    }

    /// <summary>
    /// The person signed in on this browser gets a code for the client; otherwise the browser goes to sign in
    /// first and comes back.
    /// </summary>
    private static async Task<IResult> AuthorizeAsync(HttpContext context, IdentitySettings settings)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var signedIn = await context.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        if (!signedIn.Succeeded)
        {
            return Results.Challenge(new AuthenticationProperties { RedirectUri = context.Request.PathBase + context.Request.Path + context.Request.QueryString },
                [CookieAuthenticationDefaults.AuthenticationScheme]);
        }

        var person = signedIn.Principal!;
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, person.FindFirstValue(Claims.Subject)).SetClaim(Claims.Name, person.FindFirstValue(Claims.Name));
        identity.AddClaims(person.Claims.Where(c => Upstream.PersonClaims.Contains(c.Type)).Select(c => new Claim(c.Type, c.Value, c.ValueType)));
        identity.SetScopes(request.GetScopes().Intersect(AllowedScopes));
        identity.SetResources(settings.Audience);
        identity.SetDestinations(claim => claim.Type == Claims.Name && !identity.HasScope(Scopes.Profile)
            ? [Destinations.AccessToken]
            : [Destinations.AccessToken, Destinations.IdentityToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>Signs the person out of this browser and back to the client's page after sign-out.</summary>
    private static async Task LogoutAsync(HttpContext context)
    {
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignOutAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, new AuthenticationProperties { RedirectUri = "/" });
    }
}
