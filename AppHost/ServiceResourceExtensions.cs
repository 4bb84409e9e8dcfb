using Microsoft.Extensions.Configuration;

namespace Ent.Partnership.AppHost;

public static class ServiceResourceExtensions
{
    /// <summary>
    /// A gRPC service of the suite: an HTTP/1.1 endpoint for REST and health and an HTTP/2 one for gRPC (over
    /// plain http one port cannot serve both), the token key, the AppHost's environment, health-based readiness.
    /// With <c>Services:Proxied</c> = <c>false</c> the gateway and clients reach each service on its own port
    /// rather than through the orchestrator's proxy (the benchmarks measure the service, not the proxy).
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddPartnershipService<TProject>(
        this IDistributedApplicationBuilder builder, string name, IResourceBuilder<ParameterResource> tokenKey)
        where TProject : IProjectMetadata, new()
    {
        var proxied = builder.Configuration.GetValue("Services:Proxied", true);
        return builder.AddProject<TProject>(name, launchProfileName: null)
            .WithHttpEndpoint(name: "http", env: "HTTP_PORT", isProxied: proxied)
            .WithEndpoint(scheme: "http", name: "grpc", env: "GRPC_PORT", isProxied: proxied)
            .WithEndpoint("grpc", endpoint => endpoint.Transport = "http2")
            .WithEnvironment("DOTNET_ENVIRONMENT", builder.Environment.EnvironmentName)
            .WithEnvironment("InternalToken__SigningKey", tokenKey)
            .WithHttpHealthCheck("/health", endpointName: "http");
    }
}
