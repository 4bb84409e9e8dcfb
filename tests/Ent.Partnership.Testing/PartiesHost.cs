using Ent.Partnership.ServiceDefaults.Identity;
using Grpc.Net.ClientFactory;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Ent.Partnership.Tests.Support;

/// <summary>
/// The parties service in memory over a test's redis-server, for the tests of a service that calls it: with
/// the Grand Est reference parties or none, never the sample schools. Generic over the service's entry point
/// (<c>parties::…PartiesService</c>), so that this library carries no copy of the parties' messages.
/// </summary>
public sealed class PartiesHost<TEntryPoint>(string redisConnectionString, bool referenceParties) : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    /// <summary>How gRPC's client factory names the parties' client (<c>nameof(PartiesClient)</c>).</summary>
    private const string ClientName = "PartiesClient";

    /// <summary>A REST client with an admin's token.</summary>
    public HttpClient Admin => field ??= CreateAdminClient();

    /// <summary>The reference parties load in the background as the service starts; waits for the last one.</summary>
    public async Task WaitForReferenceDataAsync()
    {
        const string LastLoaded = "/v1/parties/groupement-ent-grand-est/memberships?pageSize=500";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!(await Admin.GetAsync(LastLoaded, timeout.Token)).IsSuccessStatusCode
            || !(await Admin.GetStringAsync(LastLoaded, timeout.Token)).Contains("parties/cea", StringComparison.Ordinal))
        {
            await Task.Delay(100, timeout.Token);
        }
    }

    /// <summary>Points the parties' client of the service under test at this host.</summary>
    public void Serve(IServiceCollection services)
    {
        services.AddHttpClient(ClientName).ConfigurePrimaryHttpMessageHandler(() => Server.CreateHandler());
        services.Configure<GrpcClientFactoryOptions>(ClientName, options => options.Address = Server.BaseAddress);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:redis", redisConnectionString);
        builder.UseSetting("InternalToken:SigningKey", TestSecrets.SigningKey);
        builder.UseSetting("Seed:Parties", referenceParties ? "true" : "false");
        builder.UseSetting("Seed:Schools", "false");
    }

    private HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", new InternalToken(TestSecrets.SigningKey, TimeProvider.System).IssueForPartner("test", null, [RoleNames.Admin]));
        return client;
    }
}
