using System.Text.Json;
using Ent.Partnership.Communications.Application;
using Ent.Partnership.Communications.V1;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Storage;
using Google.Protobuf;

namespace Ent.Partnership.Communications.Seeding;

/// <summary>Records the French general elections from 2020 to March 2026 under their stable ids; loading again adds nothing.</summary>
public sealed class ElectionLoader(IOneAtATime oneAtATime, ElectionCatalog catalog, SeedOptions options, IHostEnvironment environment, ILogger<ElectionLoader> logger) : OneReplicaAtATimeService(oneAtATime)
{
    private static readonly Caller Loader = Caller.Internal("communications-reference-data");
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        if (!options.Elections)
        {
            return;
        }

        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(environment.ContentRootPath, "SeedData", "elections.json"), stoppingToken));
        var created = 0;
        foreach (var item in document.RootElement.GetProperty("elections").EnumerateArray())
        {
            try
            {
                await catalog.CreateAsync(Loader, Parser.Parse<Election>(item.GetRawText()), item.GetProperty("id").GetString()!, "");
                created++;
            }
            catch (AlreadyExistsException)
            {
            }
        }

        logger.LogInformation("Reference elections: {Created} recorded", created);
    }
}
