using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;

namespace Ent.Partnership.Console;

/// <summary>
/// Persons sign in at the identity project (OpenID Connect, code flow with PKCE); the console keeps their
/// tokens in its cookie and calls the gateway with the access token.
/// </summary>
public static class SignIn
{
    public static WebApplicationBuilder AddConsoleSignIn(this WebApplicationBuilder builder)
    {
        var identity = builder.Configuration["Console:Identity"]
            ?? throw new InvalidOperationException("Console:Identity is not configured; the AppHost provides it.");
        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie(options => options.Cookie.Name = "ent-console")
            .AddOpenIdConnect(options =>
            {
                options.Authority = identity;
                options.ClientId = "ent-console";
                options.ResponseType = "code";
                options.ResponseMode = "query";
                options.UsePkce = true;
                options.Scope.Add("api");
                options.SaveTokens = true;
                options.MapInboundClaims = false;
                options.TokenValidationParameters.NameClaimType = "name";
                options.RequireHttpsMetadata = !builder.Environment.IsDevelopment();
                // The access token goes into the cookie's principal: interactive pages, which have no HttpContext,
                // read it from their authentication state.
                options.Events.OnTokenValidated = context =>
                {
                    if (context.TokenEndpointResponse?.AccessToken is { } token && context.Principal?.Identity is ClaimsIdentity identity)
                    {
                        identity.AddClaim(new Claim(GatewayClient.AccessTokenClaim, token));
                    }

                    return Task.CompletedTask;
                };
            });
        builder.Services.AddAuthorization();
        return builder;
    }

    public static void MapSignIn(this WebApplication app)
    {
        app.MapPost("/deconnexion", () => Results.SignOut(new AuthenticationProperties { RedirectUri = "/" },
            [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]));
    }
}
