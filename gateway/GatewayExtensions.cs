using Ent.Partnership.ServiceDefaults.Http;
using Ent.Partnership.ServiceDefaults.Identity;

namespace Ent.Partnership.Gateway;

public static class GatewayExtensions
{
    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.Services.Configure<GatewayOptions>(builder.Configuration.GetSection("Gateway"));
        var signingKey = builder.Configuration["InternalToken:SigningKey"]
            ?? throw new InvalidOperationException("InternalToken:SigningKey is not configured; the AppHost provides it.");
        builder.Services.AddSingleton(new InternalToken(signingKey, TimeProvider.System));
        builder.Services.AddSingleton<ApiKeyAuthenticator>();
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver();
        builder.Services.AddHttpClient(ServicesHealthCheck.ClientName, client => client.Timeout = TimeSpan.FromSeconds(3));
        builder.Services.AddHealthChecks().AddCheck<ServicesHealthCheck>("services");
        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        app.UseStatusErrorBodies();
        app.UseMiddleware<IdentityMiddleware>();
        app.MapReverseProxy();
        app.MapDefaultEndpoints();
        return app;
    }
}
