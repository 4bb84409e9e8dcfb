using Ent.Partnership.ServiceDefaults.Http;
using Ent.Partnership.ServiceDefaults.Identity;
using Microsoft.Extensions.Options;

namespace Ent.Partnership.Gateway;

public static class GatewayExtensions
{
    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestLineSize = Limits.MaxRequestLineBytes);
        builder.Services.Configure<GatewayOptions>(builder.Configuration.GetSection("Gateway"));
        builder.Services.AddInternalTokens(builder.Configuration, builder.Environment, RememberedTokenHandler.GatewayIssuer);
        builder.Services.AddSingleton<ApiKeyAuthenticator>();
        builder.Services.AddSingleton<PersonAuthenticator>();
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver();
        builder.Services.AddHttpClient(ServicesHealthCheck.ClientName, client => client.Timeout = TimeSpan.FromSeconds(3));
        builder.Services.AddHealthChecks().AddCheck<ServicesHealthCheck>("services");
        builder.Services.AddKeyRateLimits();
        var origins = builder.Configuration.GetSection("Gateway:CorsOrigins").Get<string[]>() ?? [];
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy => policy.WithOrigins(origins)
            .AllowAnyHeader().AllowAnyMethod().WithExposedHeaders("Retry-After", "Allow", "WWW-Authenticate")));
        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.KeyIdProblems().ToList() is { Count: > 0 } problems)
        {
            throw new InvalidOperationException("The gateway cannot name its keys: " + string.Join(" ", problems));
        }

        app.UseStatusErrorBodies();
        app.UseCors();
        app.UseMiddleware<IdentityMiddleware>();
        app.UseRateLimiter();
        app.UseBodyLimits();
        app.MapReverseProxy(proxy => proxy.Use(async (context, next) =>
        {
            await next();
            // A body sent without a length and cut at the limit: YARP calls it the client's error (400).
            if (context.GetForwarderErrorFeature()?.Exception is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } && !context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            }

            // The service did not take the request (stopped, restarting): UNAVAILABLE, which a client retries,
            // rather than YARP's 502, which tells it nothing of the kind.
            if (context.GetForwarderErrorFeature() is not null && context.Response.StatusCode == StatusCodes.Status502BadGateway && !context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "1";
            }
        }));
        app.MapDefaultEndpoints();
        app.MapJwks();
        app.MapApiReference();
        return app;
    }
}
