using Ent.Partnership.Dapr;
using Ent.Partnership.Conventions.Application;
using Ent.Partnership.Conventions.Grpc;
using Ent.Partnership.Conventions.Seeding;
using Ent.Partnership.Conventions.Storage;
using Ent.Partnership.Parties.Client;
using Ent.Partnership.ServiceDefaults.Grpc;
using Ent.Partnership.ServiceDefaults.Jobs;
using Ent.Partnership.Storage.Hosting;

namespace Ent.Partnership.Conventions;

public static class ApplicationServiceExtensions
{
    public const string ServiceName = "conventions";

    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.UsePartnershipEndpoints();
        builder.AddPartnershipGrpcService(ServiceName);
        builder.AddPartnershipStorage("redis", prefix: ServiceName);
        builder.AddPartiesDirectory(ServiceName);
        builder.Services.AddPartnershipGrpcClient<Obligations.V1.Obligations.ObligationsClient>("obligations");
        builder.Services.AddSingleton<ConventionRepository>();
        builder.Services.AddSingleton<PartyLookup>();
        builder.Services.AddSingleton<ObligationLookup>();
        builder.Services.AddSingleton<ConventionCatalog>();
        builder.Services.AddSingleton(builder.Configuration.GetSection("Clock").Get<ClockOptions>() ?? new ClockOptions());
        builder.Services.AddSingleton<ConventionClock>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConventionClock>());
        builder.Services.AddSingleton(builder.Configuration.GetSection("Seed").Get<SeedOptions>() ?? new SeedOptions());
        builder.Services.AddHostedService<SampleConventionLoader>();
        return builder;
    }

    public static WebApplication MapApplication(this WebApplication app)
    {
        app.MapPartnershipGrpcService<ConventionsService>().MapDaprEvents();
        return app;
    }
}
