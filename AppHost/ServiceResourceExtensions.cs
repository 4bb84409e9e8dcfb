using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Ent.Partnership.AppHost;

public static class ServiceResourceExtensions
{
    /// <summary>
    /// A project reached from outside (the gateway, the identity project, the console): its own port on
    /// localhost, not behind the orchestrator's proxy (cookies and fixed addresses work), the AppHost's
    /// environment, health-based readiness.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddFrontProject<TProject>(this IDistributedApplicationBuilder builder, string name, int port)
        where TProject : IProjectMetadata, new() =>
        builder.AddProject<TProject>(name, launchProfileName: null)
            .WithHttpEndpoint(port: port, name: "http", isProxied: false)
            .WithExternalHttpEndpoints()
            .WithEnvironment("DOTNET_ENVIRONMENT", builder.Environment.EnvironmentName)
            .WithHttpHealthCheck("/health");

    /// <summary>
    /// A gRPC service of the suite: an HTTP/1.1 endpoint for REST and health and an HTTP/2 one for gRPC (over
    /// plain http one port cannot serve both), the seed of its own token keys, the AppHost's environment,
    /// health-based readiness.
    /// With <c>Services:Proxied</c> = <c>false</c> the gateway and clients reach each service on its own port
    /// rather than through the orchestrator's proxy (the benchmarks measure the service, not the proxy). With
    /// <c>Services:Replicas</c> (or <c>--replicas N</c>) each service runs N processes behind that proxy;
    /// <c>Clock:Interval</c> sets how often their clock jobs run.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddPartnershipService<TProject>(
        this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new()
    {
        var proxied = builder.Configuration.GetValue("Services:Proxied", true);
        var replicas = builder.Configuration.GetValue("Services:Replicas", 1);
        if (replicas > 1 && !proxied)
        {
            throw new DistributedApplicationException("Services:Replicas needs the orchestrator's proxy in front of the replicas: leave Services:Proxied on.");
        }

        var service = builder.AddProject<TProject>(name, launchProfileName: null)
            .WithHttpEndpoint(name: "http", env: "HTTP_PORT", isProxied: proxied)
            .WithEndpoint(scheme: "http", name: "grpc", env: "GRPC_PORT", isProxied: proxied)
            .WithEndpoint("grpc", endpoint => endpoint.Transport = "http2")
            .WithEnvironment("DOTNET_ENVIRONMENT", builder.Environment.EnvironmentName)
            .WithEnvironment("InternalToken__Seed", builder.AddTokenSeed(name))
            .WithHttpHealthCheck("/health", endpointName: "http");
        if (builder.Configuration["Clock:Interval"] is { } interval)
        {
            // How often the services' clock jobs look at what time changed (tests shorten it).
            service.WithEnvironment("Clock__Interval", interval);
        }

        // Replicas share the work through Redis: one consumer group per service, versioned writes for the
        // clock jobs and a lease on each delivery; the proxy spreads the calls.
        return replicas > 1 ? service.WithReplicas(replicas) : service;
    }

    /// <summary>
    /// The service's sample data sets (<c>Seed:{set}</c>): in Development each loads unless the command line
    /// turns it off (the whole-suite tests do); anywhere else every set is off, whatever is configured, so a
    /// published suite never pushes a sample message to a real school.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSampleData(
        this IResourceBuilder<ProjectResource> service, IDistributedApplicationBuilder builder, params string[] sets)
    {
        var development = builder.Environment.IsDevelopment();
        foreach (var set in sets)
        {
            if ((development ? builder.Configuration[$"Seed:{set}"] : "false") is { } value)
            {
                service.WithEnvironment($"Seed__{set}", value);
            }
        }

        return service;
    }

    /// <summary>
    /// The secret seed an issuer (the gateway, a service) makes its token key pair from: generated, never
    /// configured by hand. To rotate, give the issuer a new seed and the old one as <c>InternalToken__PreviousSeed</c>
    /// for the tokens' lifetime plus the time its public keys are kept (docs/decisions.md).
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddTokenSeed(this IDistributedApplicationBuilder builder, string issuer) =>
        builder.AddParameter($"token-seed-{issuer}", new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true);

    /// <summary>Tells <paramref name="service"/> where to fetch the public keys of the issuers whose tokens it takes.</summary>
    public static IResourceBuilder<ProjectResource> Trusting(this IResourceBuilder<ProjectResource> service, params IResourceBuilder<ProjectResource>[] issuers)
    {
        foreach (var issuer in issuers)
        {
            service.WithEnvironment($"InternalToken__Issuers__{issuer.Resource.Name}", issuer.GetEndpoint("http"));
        }

        return service;
    }
}
