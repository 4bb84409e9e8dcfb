using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Ent.Partnership.Redis;

public static class RedisExtensions
{
    /// <summary>
    /// The Redis connection named <paramref name="connectionName"/> (from <c>ConnectionStrings</c>) through Aspire's
    /// client integration (health check, traces, logs), and this service's <see cref="IDocumentStore"/>
    /// (<see cref="RedisDocumentStore"/>) under <paramref name="prefix"/>.
    /// </summary>
    public static IHostApplicationBuilder AddPartnershipRedis(this IHostApplicationBuilder builder, string connectionName, string prefix)
    {
        if (builder.Configuration.GetConnectionString(connectionName) is null)
        {
            throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not configured; the AppHost provides it.");
        }

        // Redis may start after the service (or restart under it): connect in the background, never fail the start.
        builder.AddRedisClient(connectionName, configureOptions: options => options.AbortOnConnectFail = false);
        builder.Services.AddSingleton(new RedisStoreOptions(prefix));
        builder.Services.AddSingleton<RedisDocumentStore>();
        builder.Services.AddSingleton<IDocumentStore>(sp => sp.GetRequiredService<RedisDocumentStore>());
        builder.Services.AddSingleton<IOneAtATime, RedisOneAtATime>();
        builder.Services.AddSingleton<IErrorTranslator, RedisErrorTranslator>();
        builder.Services.TryAddSingleton(new EarlierEventReaders(_ => Readers.Everyone));
        builder.Services.AddSingleton<HistoryBackfill>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HistoryBackfill>());
        return builder;
    }

    /// <summary>Tells <typeparamref name="TWatcher"/> of every write to <paramref name="stream"/>, in every process.</summary>
    public static IServiceCollection AddStreamWatch<TWatcher>(this IServiceCollection services, string stream)
        where TWatcher : class, IStreamWatcher
    {
        services.AddSingleton<IHostedService>(sp => new StreamWatch(
            sp.GetRequiredService<IConnectionMultiplexer>(), stream, sp.GetRequiredService<TWatcher>()));
        return services;
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
