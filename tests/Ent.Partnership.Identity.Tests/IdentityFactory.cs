using Ent.Partnership.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Ent.Partnership.Identity.Tests;

/// <summary>The identity project in memory, in Development (so with its development persons).</summary>
public sealed class IdentityFactory : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Identity:Seed", TestSecrets.IdentitySeed);
    }

    /// <summary>A browser: cookies kept, redirects seen rather than followed.</summary>
    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
}
