using Ent.Partnership.ServiceDefaults.Grpc;
using Ent.Partnership.Storage.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ent.Partnership.Parties.Client;

public static class PartiesDirectoryExtensions
{
    /// <summary>
    /// The <see cref="PartiesDirectory"/> of the service named <paramref name="serviceName"/>: a client of the
    /// parties service, and a watch of its stream that makes the directory forget what changed.
    /// </summary>
    public static IHostApplicationBuilder AddPartiesDirectory(this IHostApplicationBuilder builder, string serviceName)
    {
        builder.Services.AddPartnershipGrpcClient<V1.Parties.PartiesClient>("parties");
        builder.Services.AddSingleton<PartiesDirectory>();
        builder.AddPartnershipWatch<PartiesDirectory>(PartiesDirectory.Stream, group: $"{serviceName}-parties-watch");
        return builder;
    }
}
