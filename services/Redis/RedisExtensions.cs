using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;
using StackExchange.Redis;

namespace Ent.Partnership.Redis;

public static class RedisExtensions
{
    /// <summary>
    /// The Redis connection named <paramref name="connectionName"/> (from <c>ConnectionStrings</c>), a health
    /// check, traces of its commands, and this service's <see cref="IDocumentStore"/> (<see cref="RedisDocumentStore"/>) under <paramref name="prefix"/>.
    /// </summary>
    public static IHostApplicationBuilder AddPartnershipRedis(this IHostApplicationBuilder builder, string connectionName, string prefix)
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not configured; the AppHost provides it.");
        var configuration = ConfigurationOptions.Parse(connectionString);
        configuration.AbortOnConnectFail = false;
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(configuration));
        builder.Services.AddSingleton(new RedisStoreOptions(prefix));
        builder.Services.AddSingleton<RedisDocumentStore>();
        builder.Services.AddSingleton<IDocumentStore>(sp => sp.GetRequiredService<RedisDocumentStore>());
        builder.Services.AddSingleton<IOneAtATime, RedisOneAtATime>();
        builder.Services.AddSingleton<IErrorTranslator, RedisErrorTranslator>();
        builder.Services.TryAddSingleton(new EarlierEventReaders(_ => Readers.Everyone));
        builder.Services.AddSingleton<HistoryBackfill>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HistoryBackfill>());
        builder.Services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis");
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddRedisInstrumentation());
        return builder;
    }

    /// <summary>Consumes a stream with this service's consumer group, for the life of the host.</summary>
    public static IServiceCollection AddEventConsumer<THandler>(this IServiceCollection services, EventConsumerOptions options)
        where THandler : class, IEventHandler
    {
        services.AddSingleton<THandler>();
        services.AddSingleton<IHostedService>(sp => new EventConsumerService(new EventConsumer(
            sp.GetRequiredService<IConnectionMultiplexer>(), options, sp.GetRequiredService<THandler>(),
            sp.GetRequiredService<ILogger<EventConsumer>>(), sp.GetService<ErrorTranslation>())));
        return services;
    }
}

/// <summary>Healthy when Redis answers a PING.</summary>
public sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy($"PING answered in {latency.TotalMilliseconds:F1} ms");
        }
        catch (RedisException exception)
        {
            return HealthCheckResult.Unhealthy("Redis does not answer", exception);
        }
    }
}
