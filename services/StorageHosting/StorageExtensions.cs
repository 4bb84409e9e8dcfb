using Ent.Partnership.Dapr;
using Ent.Partnership.Redis;
using Ent.Partnership.ServiceDefaults.Errors;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ent.Partnership.Storage.Hosting;

/// <summary>Where a service keeps its documents and exchanges its events: <c>Storage:Mode</c>, Redis (the default) or Dapr.</summary>
public enum StorageMode
{
    Redis,
    Dapr,
}

public static class StorageExtensions
{
    /// <summary>
    /// The service's document store, lease and events: on Redis (the connection <paramref name="redisConnectionName"/>)
    /// or, with <c>Storage:Mode=Dapr</c>, on its Dapr sidecar: the state store component
    /// <c>Storage:Dapr:StateStore</c> (<c>{prefix}-state</c> by default), whose outbox publishes the events,
    /// and the pub/sub component <c>Storage:Dapr:PubSub</c> (<c>pubsub</c>) the service subscribes on.
    /// </summary>
    public static IHostApplicationBuilder AddPartnershipStorage(this IHostApplicationBuilder builder, string redisConnectionName, string prefix)
    {
        if (ModeOf(builder) == StorageMode.Redis)
        {
            return builder.AddPartnershipRedis(redisConnectionName, prefix);
        }

        var section = builder.Configuration.GetSection("Storage:Dapr");
        builder.Services.AddDaprClient();
        builder.Services.AddSingleton(new DaprStoreOptions(section["StateStore"] ?? DaprStoreOptions.DefaultStoreName(prefix), prefix));
        builder.Services.AddSingleton(new DaprPubSub(section["PubSub"] ?? DaprPubSub.Default));
        builder.Services.AddSingleton<IDocumentStore, DaprDocumentStore>();
        builder.Services.AddSingleton<IOneAtATime, DaprOneAtATime>();
        builder.Services.AddSingleton<DaprEventDelivery>();
        builder.Services.AddSingleton<IErrorTranslator, DaprErrorTranslator>();
        builder.Services.AddHealthChecks().AddCheck<DaprHealthCheck>("dapr");
        return builder;
    }

    /// <summary>
    /// Handles another service's events with <typeparamref name="THandler"/> as the group <paramref name="group"/>:
    /// a consumer of its Redis stream, or a subscription to its outbox topic through the sidecar
    /// (mapped by <see cref="DaprEventEndpoints.MapDaprEvents"/>).
    /// </summary>
    public static IHostApplicationBuilder AddPartnershipEvents<THandler>(this IHostApplicationBuilder builder, string stream, string group)
        where THandler : class, IEventHandler
    {
        if (ModeOf(builder) == StorageMode.Redis)
        {
            builder.Services.AddEventConsumer<THandler>(new EventConsumerOptions(stream, group));
            return builder;
        }

        builder.Services.AddSingleton<THandler>();
        builder.Services.AddSingleton(sp => new DaprSubscription(sp.GetRequiredService<DaprPubSub>().Name, stream, group, typeof(THandler)));
        return builder;
    }

    /// <summary>
    /// Tells <typeparamref name="TWatcher"/> (registered by the caller) that another service's stream has new
    /// events: every process of this service hears the stream's channel on Redis; on Dapr, one process of the
    /// service gets each event through a subscription of the group <paramref name="group"/>, so the others
    /// rely on what they keep aging out.
    /// </summary>
    public static IHostApplicationBuilder AddPartnershipWatch<TWatcher>(this IHostApplicationBuilder builder, string stream, string group)
        where TWatcher : class, IStreamWatcher
    {
        if (ModeOf(builder) == StorageMode.Redis)
        {
            builder.Services.AddStreamWatch<TWatcher>(stream);
            return builder;
        }

        builder.Services.AddSingleton<WatchRelay<TWatcher>>();
        builder.Services.AddSingleton(sp => new DaprSubscription(sp.GetRequiredService<DaprPubSub>().Name, stream, group, typeof(WatchRelay<TWatcher>)));
        return builder;
    }

    private static StorageMode ModeOf(IHostApplicationBuilder builder) => builder.Configuration.GetValue("Storage:Mode", StorageMode.Redis);
}
