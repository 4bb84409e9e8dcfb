using Ent.Partnership.Parties.Application;
using Ent.Partnership.Parties.Grpc;
using Ent.Partnership.Parties.Seeding;
using Ent.Partnership.Parties.Storage;
using Ent.Partnership.ServiceDefaults.Grpc;
using Ent.Partnership.Storage.Hosting;

namespace Ent.Partnership.Parties;

public static class ApplicationServiceExtensions
{
    public const string ServiceName = "parties";

    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.UsePartnershipEndpoints();
        builder.AddPartnershipGrpcService(ServiceName);
        builder.AddPartnershipStorage("redis", prefix: ServiceName);
        builder.Services.AddSingleton<PartyRepository>();
        builder.Services.AddSingleton<PartyCatalog>();
        builder.Services.AddSingleton<SchoolImporter>();
        builder.Services.AddSingleton(builder.Configuration.GetSection("Seed").Get<SeedOptions>() ?? new SeedOptions());
        builder.Services.AddHostedService<ReferenceDataLoader>();
        return builder;
    }

    public static WebApplication MapApplication(this WebApplication app) => app.MapPartnershipGrpcService<PartiesService>();
}
