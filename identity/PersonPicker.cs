using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Ent.Partnership.Identity;

/// <summary>
/// Development's sign-in page: the development persons by display name, one button each (a form protected
/// against cross-site posts); the chosen person is signed in on this browser and goes back to the client.
/// </summary>
public static class PersonPicker
{
    public const string Path = "/connect/choose";

    public static void MapPersonPicker(this WebApplication app)
    {
        app.MapGet(Path, (HttpContext context, IdentitySettings settings, IAntiforgery antiforgery, string? returnUrl) =>
            Results.Content(Page(settings, antiforgery.GetAndStoreTokens(context), LocalOrRoot(returnUrl)), "text/html; charset=utf-8"));
        app.MapPost(Path, async (HttpContext context, IdentitySettings settings, [FromForm] string subject, [FromForm] string? returnUrl) =>
        {
            if (settings.Persons.FirstOrDefault(p => p.Subject == subject) is not { } person)
            {
                return Results.BadRequest();
            }

            var identity = new ClaimsIdentity([new Claim(Claims.Subject, person.Subject), new Claim(Claims.Name, person.DisplayName)],
                CookieAuthenticationDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
            if (person.Email is not null)
            {
                identity.AddClaim(new Claim(Claims.Email, person.Email));
                identity.AddClaim(new Claim(Claims.EmailVerified, "true", ClaimValueTypes.Boolean));
            }

            if (person.Siret is not null)
            {
                identity.AddClaim(new Claim(Upstream.Siret, person.Siret));
            }

            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
            return Results.LocalRedirect(LocalOrRoot(returnUrl));
        });
    }

    /// <summary>Only a path of this site: never a redirect elsewhere.</summary>
    public static string LocalOrRoot(string? url) =>
        url is ['/', not '/' and not '\\', ..] || url == "/" ? url : "/";

    private static string Page(IdentitySettings settings, AntiforgeryTokenSet tokens, string returnUrl)
    {
        var html = HtmlEncoder.Default;
        var upstream = settings.Upstream.Authority is null ? "" : $"""
                <p><a href="{Upstream.Path}?returnUrl={html.Encode(Uri.EscapeDataString(returnUrl))}">Se connecter avec {html.Encode(settings.Upstream.DisplayName)}</a></p>
            """;
        var buttons = new StringBuilder();
        foreach (var person in settings.Persons)
        {
            buttons.Append($"""
                  <li>
                    <form method="post" action="{Path}">
                      <input type="hidden" name="{html.Encode(tokens.FormFieldName)}" value="{html.Encode(tokens.RequestToken!)}">
                      <input type="hidden" name="returnUrl" value="{html.Encode(returnUrl)}">
                      <button type="submit" name="subject" value="{html.Encode(person.Subject)}">{html.Encode(person.DisplayName)}</button>
                    </form>
                  </li>

                """);
        }

        return $$"""
            <!doctype html>
            <html lang="fr">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>Connexion — ENT partenariat</title>
              <link rel="icon" href="data:,">
              <style>
                body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #161616; }
                ul { list-style: none; padding: 0; }
                li { margin: .5rem 0; }
                button { width: 100%; text-align: left; padding: .75rem 1rem; font-size: 1rem; border: 1px solid #3a3a3a;
                  border-radius: .25rem; background: #fff; color: #161616; cursor: pointer; }
                button:hover, button:focus-visible { background: #e3e3fd; outline: 3px solid #000091; outline-offset: 2px; }
              </style>
            </head>
            <body>
              <main>
                <h1>Se connecter</h1>
                <p>Environnement de développement : choisissez la personne au nom de laquelle agir.</p>
                <ul>
            {{buttons}}    </ul>
            {{upstream}}  </main>
            </body>
            </html>
            """;
    }
}
