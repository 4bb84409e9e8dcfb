using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Http;
using Ent.Partnership.ServiceDefaults.Identity;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ent.Partnership.ServiceDefaults.Grpc;

/// <summary>Hosting of a gRPC service of the suite: gRPC and its REST transcoding, the caller's identity, errors.</summary>
public static class GrpcServiceExtensions
{
    /// <summary>
    /// gRPC with the error interceptor, REST through JSON transcoding, the gRPC health service, and the
    /// internal token required on every call.
    /// </summary>
    public static IHostApplicationBuilder AddPartnershipGrpcService(this IHostApplicationBuilder builder, string serviceName)
    {
        builder.Services.AddSingleton<ErrorTranslation>();
        builder.Services.AddGrpc(options =>
        {
            options.Interceptors.Add<ErrorInterceptor>();
            options.Interceptors.Add<ServiceCallersInterceptor>();
            // Without these, gRPC answers any unknown two-segment path (/v1/parties with PUT) itself, as an
            // unimplemented method, and routing never gets to say 405.
            options.IgnoreUnknownServices = true;
            options.EnableDetailedErrors = builder.Environment.IsDevelopment();
        }).AddJsonTranscoding(options =>
        {
            options.TypeRegistry = ErrorStatus.DetailTypes;
            options.JsonSettings.IgnoreDefaultValues = true;
            options.JsonSettings.WriteIndented = false;
        });
        builder.Services.AddGrpcHealthChecks();
        builder.Services.AddGrpcReflection();

        // Token lifetimes are checked by other processes against their own clocks: always the system's time,
        // even where tests move the application's TimeProvider.
        builder.Services.AddInternalTokens(builder.Configuration, builder.Environment, serviceName);
        builder.Services.AddSingleton(new ServiceIdentity(serviceName));
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<InternalToken, IServiceProvider>((options, tokens, services) =>
        {
            options.MapInboundClaims = false;
            options.TokenValidationParameters = tokens.ValidationParameters();
            options.TokenHandlers.Clear();
            options.TokenHandlers.Add(new RememberedTokenHandler(TimeProvider.System, services.GetService<TrustedIssuers>()));
            options.Events = new JwtBearerEvents
            {
                // A service's own identity is that service and nothing else, whatever its token claims besides.
                OnTokenValidated = context =>
                {
                    if (context.Principal?.FindFirst(InternalToken.ServiceClaim)?.Value is { } service)
                    {
                        context.Principal = InternalToken.ServicePrincipal(service, context.Scheme.Name);
                    }

                    return Task.CompletedTask;
                },
            };
        });
        builder.Services.AddAuthorization();
        return builder;
    }

    /// <summary>
    /// Kestrel on the two ports the AppHost gives: HTTP/1.1 for REST and health (<c>HTTP_PORT</c>) and
    /// HTTP/2 without TLS for gRPC (<c>GRPC_PORT</c>); over plain http one port cannot serve both.
    /// </summary>
    public static WebApplicationBuilder UsePartnershipEndpoints(this WebApplicationBuilder builder)
    {
        if (int.TryParse(builder.Configuration["HTTP_PORT"], out var httpPort) && int.TryParse(builder.Configuration["GRPC_PORT"], out var grpcPort))
        {
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.ListenLocalhost(httpPort, listen => listen.Protocols = HttpProtocols.Http1);
                kestrel.ListenLocalhost(grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
            });
        }

        return builder;
    }

    /// <summary>The request pipeline every service shares, then the gRPC service mapped with its REST routes.</summary>
    public static WebApplication MapPartnershipGrpcService<TService>(this WebApplication app) where TService : class
    {
        app.UseStatusErrorBodies();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.Use(async (context, next) =>
        {
            // The events this request's changes cause name its caller (SPEC section 10).
            using var acting = Acting.Begin(new Acting(Actor.Of(context.User), null, null));
            await next(context);
        });
        app.UseMiddleware<TranscodedRequestValidation>();
        app.MapGrpcService<TService>().RequireAuthorization();
        app.MapGrpcHealthChecksService().AllowAnonymous();
        if (app.Environment.IsDevelopment())
        {
            app.MapGrpcReflectionService().AllowAnonymous();
        }

        app.MapDefaultEndpoints();
        app.MapJwks();
        return app;
    }
}

/// <summary>The name of this service, carried in the tokens of its calls to other services.</summary>
public sealed record ServiceIdentity(string Name);
