using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ent.Partnership.ServiceDefaults.Identity;

/// <summary>
/// How a process makes and checks internal tokens. With <c>InternalToken:Seed</c> (and, during a rotation,
/// <c>InternalToken:PreviousSeed</c>) it signs with its own key pair as its issuer (the service, or the gateway),
/// publishes the public keys at <c>/.well-known/jwks.json</c>, and takes the tokens of the issuers it is
/// told of: <c>InternalToken:Issuers:{name}</c>, the address it fetches their keys from, or
/// <c>InternalToken:Trust:{name}</c>, their JWKS given as is. Without a seed, in Development only (the
/// services the unit tests host in memory): one shared key, <c>InternalToken:SigningKey</c>.
/// </summary>
public static class InternalTokenSetup
{
    public const string JwksPath = "/.well-known/jwks.json";

    /// <summary>Registers <see cref="InternalToken"/> and, with a seed, <see cref="IssuerKeys"/> and <see cref="TrustedIssuers"/>.</summary>
    public static IServiceCollection AddInternalTokens(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment, string issuer)
    {
        var section = configuration.GetSection("InternalToken");
        if (section["Seed"] is not { } seed)
        {
            if (!environment.IsDevelopment())
            {
                throw new InvalidOperationException("InternalToken:Seed is not configured; the AppHost provides it (a shared InternalToken:SigningKey is for tests only).");
            }

            var signingKey = section["SigningKey"]
                ?? throw new InvalidOperationException("InternalToken:Seed is not configured; the AppHost provides it.");
            services.AddSingleton(new InternalToken(signingKey, TimeProvider.System));
            return services;
        }

        var keys = new IssuerKeys(issuer, seed, section["PreviousSeed"]);
        services.AddSingleton(keys);
        services.AddSingleton(new InternalToken(keys, TimeProvider.System));
        var given = section.GetSection("Trust").GetChildren()
            .ToDictionary(trust => trust.Key, trust => IssuerKeys.Parse(trust.Value ?? "{}"), StringComparer.Ordinal);
        var published = section.GetSection("Issuers").GetChildren()
            .ToDictionary(address => address.Key, address => new Uri(address.Value!), StringComparer.Ordinal);
        services.AddSingleton(new TrustedIssuers(given, published, new HttpClient { Timeout = TimeSpan.FromSeconds(5) }, TimeProvider.System));
        return services;
    }

    /// <summary>The public keys of this process's issuer, when it has its own.</summary>
    public static WebApplication MapJwks(this WebApplication app)
    {
        if (app.Services.GetService<IssuerKeys>() is { } keys)
        {
            app.MapGet(JwksPath, () => Results.Text(keys.Jwks(), "application/json")).AllowAnonymous();
        }

        return app;
    }
}
