using Ent.Partnership.Dapr;
using Ent.Partnership.Obligations.Application;
using Ent.Partnership.Obligations.Events;
using Ent.Partnership.Obligations.Grpc;
using Ent.Partnership.Obligations.Seeding;
using Ent.Partnership.Obligations.Storage;
using Ent.Partnership.Parties.Client;
using Ent.Partnership.ServiceDefaults.Grpc;
using Ent.Partnership.ServiceDefaults.Jobs;
using Ent.Partnership.Storage.Hosting;

namespace Ent.Partnership.Obligations;

public static class ApplicationServiceExtensions
{
    public const string ServiceName = "obligations";

    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.UsePartnershipEndpoints();
        builder.AddPartnershipGrpcService(ServiceName);
        builder.AddPartnershipStorage("redis", prefix: ServiceName);
        builder.AddPartiesDirectory(ServiceName);
        builder.Services.AddSingleton<ObligationRepository>();
        builder.Services.AddSingleton<ObligationParties>();
        builder.Services.AddSingleton<RegisterMigration>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RegisterMigration>());
        builder.Services.AddSingleton<ObligationCatalog>();
        builder.Services.AddSingleton(builder.Configuration.GetSection("Clock").Get<ClockOptions>() ?? new ClockOptions());
        builder.Services.AddSingleton<ObligationClock>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ObligationClock>());
        builder.Services.AddSingleton(builder.Configuration.GetSection("Seed").Get<SeedOptions>() ?? new SeedOptions());
        builder.Services.AddHostedService<SampleEvidenceLoader>();
        builder.AddPartnershipEvents<ConventionEventsHandler>(ConventionEventsHandler.Stream, group: ServiceName);
        return builder;
    }

    public static WebApplication MapApplication(this WebApplication app)
    {
        app.MapPartnershipGrpcService<ObligationsService>().MapDaprEvents();
        return app;
    }
}
