using Ent.Partnership.Benchmarks.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Ent.Partnership.Benchmarks.Runner;

/// <summary>
/// The machine's ceiling for one hop, run in a process of its own as the services are: a bare Kestrel
/// endpoint answering a party-sized JSON document over HTTP/1.1, and a bare gRPC unary echo over h2c.
/// No logging, no telemetry, no authentication: what is left is Kestrel, the serialiser and the network.
/// </summary>
public static class BaselineServer
{
    /// <summary>About the size of <c>GetParty</c>'s answer for the Région.</summary>
    private static readonly object Party = new
    {
        name = "parties/region-grand-est",
        kind = "REGION",
        displayName = "Région Grand Est",
        validFrom = "2016-01-01",
        createTime = "2026-11-29T08:00:00Z",
        updateTime = "2026-11-29T08:00:00Z",
        etag = "v1",
    };

    public static async Task<int> RunAsync(int httpPort, int grpcPort)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenLocalhost(httpPort, listen => listen.Protocols = HttpProtocols.Http1);
            kestrel.ListenLocalhost(grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        app.MapGet("/hello", () => Results.Json(Party));
        app.MapGrpcService<EchoService>();
        await app.RunAsync();
        return 0;
    }

    private sealed class EchoService : Echo.EchoBase
    {
        public override Task<EchoMessage> Say(EchoMessage request, ServerCallContext context) => Task.FromResult(request);
    }
}
