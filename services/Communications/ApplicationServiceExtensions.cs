using Ent.Partnership.Communications.Application;
using Ent.Partnership.Communications.Domain;
using Ent.Partnership.Communications.Events;
using Ent.Partnership.Communications.Grpc;
using Ent.Partnership.Communications.Publication;
using Ent.Partnership.Communications.Seeding;
using Ent.Partnership.Communications.Storage;
using Ent.Partnership.Communications.V1;
using Ent.Partnership.Dapr;
using Ent.Partnership.Parties.Client;
using Ent.Partnership.ServiceDefaults.Grpc;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.ServiceDefaults.Jobs;
using Ent.Partnership.Storage;
using Ent.Partnership.Storage.Hosting;

namespace Ent.Partnership.Communications;

public static class ApplicationServiceExtensions
{
    public const string ServiceName = "communications";

    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.UsePartnershipEndpoints();
        builder.AddPartnershipGrpcService(ServiceName);
        builder.AddPartnershipStorage("redis", prefix: ServiceName);
        // The messages' events from before readers were stamped: their readers from the message they carry.
        builder.Services.AddSingleton(new EarlierEventReaders(received => received.Type == CommunicationStateChanged.Descriptor.FullName
            ? MessageAccess.ReadersOf(received.DataAs(CommunicationStateChanged.Parser).Communication)
            : Readers.Everyone));
        builder.AddPartiesDirectory(ServiceName);
        builder.Services.AddSingleton<CommunicationRepository>();
        builder.Services.AddSingleton<MessageParties>();
        builder.Services.AddSingleton<CharterCheck>();
        builder.Services.AddSingleton<CommunicationCatalog>();
        builder.Services.AddSingleton<ElectionCatalog>();
        builder.Services.AddSingleton(builder.Configuration.GetSection("Publication").Get<PublicationOptions>() ?? new PublicationOptions());
        builder.Services.AddSingleton<Publications>();
        builder.Services.AddHostedService<PassRunner<Publications>>();
        var ent = builder.Configuration.GetSection("Ent").Get<EntOptions>() ?? new EntOptions();
        builder.Services.AddSingleton(ent);
        // The publisher decides what to retry and records every attempt: no hidden retries underneath.
#pragma warning disable EXTEXP0001 // Experimental, and the documented way to opt one client out.
        builder.Services.AddHttpClient<EntConnector>(http => http.Timeout = Timeout.InfiniteTimeSpan).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddSingleton(builder.Configuration.GetSection("Seed").Get<SeedOptions>() ?? new SeedOptions());
        builder.Services.AddHostedService<ElectionLoader>();
        builder.Services.AddHostedService<SampleMessageLoader>();
        builder.AddPartnershipEvents<ConventionEventsHandler>(ConventionEventsHandler.Stream, group: ServiceName);
        return builder;
    }

    public static WebApplication MapApplication(this WebApplication app)
    {
        app.MapPartnershipGrpcService<CommunicationsService>().MapDaprEvents();
        return app;
    }
}
