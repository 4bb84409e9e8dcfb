using Ent.Partnership.Dapr;
using Ent.Partnership.Notifications.Application;
using Ent.Partnership.Notifications.Dispatch;
using Ent.Partnership.Notifications.Grpc;
using Ent.Partnership.Notifications.Storage;
using Ent.Partnership.ServiceDefaults.Grpc;
using Ent.Partnership.ServiceDefaults.Jobs;
using Ent.Partnership.Storage.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ent.Partnership.Notifications;

public static class ApplicationServiceExtensions
{
    public const string ServiceName = "notifications";

    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.UsePartnershipEndpoints();
        builder.AddPartnershipGrpcService(ServiceName);
        builder.AddPartnershipStorage("redis", prefix: ServiceName);
        builder.Services.AddSingleton<NotificationRepository>();
        // http to this machine's receivers only in Development (SPEC section 12); tests may say otherwise.
        builder.Services.AddSingleton(new WebhookRules(builder.Configuration.GetValue("Webhooks:AllowLoopback", builder.Environment.IsDevelopment())));
        builder.Services.TryAddSingleton<IHostResolver, DnsHostResolver>();
        builder.Services.AddSingleton<WebhookAddresses>();
        builder.Services.AddSingleton(builder.Configuration.GetSection("Webhooks:Dispatch").Get<DispatchOptions>() ?? new DispatchOptions());
        // The dispatcher decides what to retry and records every attempt: no hidden retries underneath.
#pragma warning disable EXTEXP0001 // Experimental, and the documented way to opt one client out.
        builder.Services.AddHttpClient<WebhookSender>(http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => WebhookSender.Handler(sp.GetRequiredService<WebhookAddresses>()))
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddSingleton<Dispatcher>();
        builder.Services.AddHostedService<PassRunner<Dispatcher>>();
        builder.Services.AddSingleton(builder.Configuration.GetSection("Clock").Get<ClockOptions>() ?? new ClockOptions());
        builder.Services.AddHostedService<DeliveryRetention>();
        builder.Services.AddSingleton<WebhookCatalog>();
        foreach (var stream in EventFanOut.Streams)
        {
            builder.AddPartnershipEvents<EventFanOut>(stream, group: ServiceName);
        }

        return builder;
    }

    public static WebApplication MapApplication(this WebApplication app)
    {
        app.MapPartnershipGrpcService<NotificationsService>().MapDaprEvents();
        return app;
    }
}
