using System.Net.Http.Headers;
using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Tests.Support;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using static Ent.Partnership.Parties.V1.Party.Types;

namespace Ent.Partnership.Parties.Tests.Service;

/// <summary>
/// The parties service in memory, over a real redis-server of its own, with a minimal Grand Est made through
/// the API; gRPC and REST clients that carry internal tokens as the gateway would.
/// </summary>
public class PartiesServiceFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string SigningKey = TestSecrets.SigningKey;

    private readonly RedisServer _redis = new();
    private readonly InternalToken _tokens = new(SigningKey, TimeProvider.System);

    /// <summary>The redis-server of the Redis path (unused on the Dapr path).</summary>
    public RedisServer Redis => _redis;

    public string AdminToken => _tokens.IssueForPartner("admin", null, [RoleNames.Admin]);

    public string CollectivityToken => _tokens.IssueForPartner("moselle", "parties/dep-57", [RoleNames.Collectivity]);

    /// <summary>The token another service makes for its own calls.</summary>
    public static string ServiceToken(string service) => new InternalToken(SigningKey, TimeProvider.System).IssueForService(service);

    public V1.Parties.PartiesClient Grpc { get; private set; } = null!;

    public Metadata As(string token) => new() { { "authorization", "Bearer " + token } };

    public HttpClient Rest(string? token)
    {
        var client = CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ConfigureStorage(builder);
        builder.UseSetting("InternalToken:SigningKey", SigningKey);
        builder.UseSetting("Seed:Parties", "false");
        builder.UseSetting("Seed:Schools", "false");
    }

    /// <summary>Where the service keeps its documents: its own redis-server.</summary>
    protected virtual void ConfigureStorage(IWebHostBuilder builder) => builder.UseSetting("ConnectionStrings:redis", _redis.ConnectionString);

    protected virtual Task StartStorageAsync() => _redis.InitializeAsync();

    protected virtual Task StopStorageAsync() => _redis.DisposeAsync();

    public async Task InitializeAsync()
    {
        await StartStorageAsync();
        var channel = GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions { HttpHandler = Server.CreateHandler() });
        Grpc = new V1.Parties.PartiesClient(channel);
        foreach (var (id, party) in GrandEst())
        {
            await Grpc.CreatePartyAsync(new CreatePartyRequest { PartyId = id, Party = party }, As(AdminToken));
        }
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await StopStorageAsync();
    }

    private static IEnumerable<(string Id, Party Party)> GrandEst() =>
    [
        ("aca-nancy-metz", new Party { Kind = Kind.Academy, DisplayName = "Académie de Nancy-Metz", AcademyCode = "12" }),
        ("aca-strasbourg", new Party { Kind = Kind.Academy, DisplayName = "Académie de Strasbourg", AcademyCode = "15" }),
        ("region-grand-est", new Party { Kind = Kind.Region, DisplayName = "Région Grand Est", InseeCode = "44" }),
        ("dep-57", new Party { Kind = Kind.Department, DisplayName = "Moselle", InseeCode = "57", Academy = "parties/aca-nancy-metz" }),
        ("cea", new Party { Kind = Kind.SpecialCollectivity, DisplayName = "CeA", ValidFrom = "2021-01-01", Academy = "parties/aca-strasbourg" }),
        ("dep-67", new Party { Kind = Kind.Department, DisplayName = "Bas-Rhin", InseeCode = "67", Academy = "parties/aca-strasbourg" }),
        ("dep-68", new Party { Kind = Kind.Department, DisplayName = "Haut-Rhin", InseeCode = "68", Academy = "parties/aca-strasbourg" }),
    ];
}

/// <summary>
/// The same service with <c>Storage:Mode=Dapr</c>: its documents, claims, request ids and events go through
/// the Dapr state API, to the sidecar stand-in on a real redis-server.
/// </summary>
public sealed class DaprPartiesServiceFactory : PartiesServiceFactory
{
    private readonly DaprSidecar _sidecar = new();

    public DaprSidecar Sidecar => _sidecar;

    protected override void ConfigureStorage(IWebHostBuilder builder) => _sidecar.ConfigureService(builder);

    protected override Task StartStorageAsync() => _sidecar.InitializeAsync();

    protected override Task StopStorageAsync() => _sidecar.DisposeAsync();
}
