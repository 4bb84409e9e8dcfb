using Ent.Partnership.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace Ent.Partnership.Gateway.Tests;

/// <summary>
/// The gateway in memory, with keys of the tests' own in a configuration the tests can change and reload.
/// No service stands behind it: what passes the gateway's checks is answered 503.
/// </summary>
public sealed class GatewayFactory : WebApplicationFactory<Program>
{
    public ReloadableConfiguration Keys { get; } = new(new Dictionary<string, string?>
    {
        ["Gateway:ApiKeys:0:Id"] = "test-admin",
        ["Gateway:ApiKeys:0:Key"] = "test-admin-key",
        ["Gateway:ApiKeys:0:Roles:0"] = "admin",
        ["Gateway:ApiKeys:1:Id"] = "test-slow",
        ["Gateway:ApiKeys:1:Key"] = "test-slow-key",
        ["Gateway:ApiKeys:1:Roles:0"] = "observer",
        ["Gateway:ApiKeys:1:RateLimit:PerSecond"] = "1",
        ["Gateway:ApiKeys:1:RateLimit:Burst"] = "3",
        ["Gateway:ApiKeys:2:Id"] = "test-expired",
        ["Gateway:ApiKeys:2:Key"] = "test-expired-key",
        ["Gateway:ApiKeys:2:Roles:0"] = "observer",
        ["Gateway:ApiKeys:2:Expires"] = "2020-01-01T00:00:00Z",
    });

    /// <summary>
    /// The gateway in memory as in production, with one admin key (<c>test-admin-key</c>) and what
    /// <paramref name="configure"/> adds: the services behind it, an identity project.
    /// </summary>
    public static WebApplicationFactory<Program> InProduction(Action<IWebHostBuilder> configure) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(gateway =>
        {
            gateway.UseEnvironment("Production");
            gateway.UseSetting("InternalToken:Seed", TestSecrets.GatewaySeed);
            gateway.UseSetting("Gateway:ApiKeys:0:Id", "test-admin");
            gateway.UseSetting("Gateway:ApiKeys:0:Key", "test-admin-key");
            gateway.UseSetting("Gateway:ApiKeys:0:Roles:0", "admin");
            configure(gateway);
        });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        // Read as the gateway starts, before the configuration below is added.
        builder.UseSetting("InternalToken:Seed", TestSecrets.GatewaySeed);
        builder.UseSetting("Gateway:CorsOrigins:0", "https://partenaire.example");
        builder.ConfigureAppConfiguration(configuration => configuration.Add(Keys));
    }
}

/// <summary>An in-memory configuration whose values a test changes, then reloads as a file change would.</summary>
public sealed class ReloadableConfiguration(Dictionary<string, string?> initial) : ConfigurationProvider, IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        foreach (var (key, value) in initial)
        {
            Data[key] = value;
        }

        return this;
    }

    public void Change(string key, string? value)
    {
        if (value is null)
        {
            Data.Remove(key);
        }
        else
        {
            Data[key] = value;
        }

        OnReload();
    }
}
