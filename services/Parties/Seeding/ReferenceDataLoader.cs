using System.Text.Json;
using Ent.Partnership.Parties.Application;
using Ent.Partnership.Parties.Storage;
using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Storage;
using Google.Protobuf;

namespace Ent.Partnership.Parties.Seeding;

/// <summary>What the loader loads: in Development, the Grand Est parties and (unless turned off) the schools.</summary>
public sealed record SeedOptions
{
    public bool Parties { get; init; }

    public bool Schools { get; init; }
}

/// <summary>
/// Loads the Grand Est reference data once, idempotently (existing parties are left as they are), so that
/// a first run shows a living system.
/// </summary>
public sealed class ReferenceDataLoader(
    IOneAtATime oneAtATime, PartyCatalog catalog, SchoolImporter importer, PartyRepository repository, SeedOptions options, IHostEnvironment environment,
    ErrorTranslation errors, ILogger<ReferenceDataLoader> logger) : OneReplicaAtATimeService(oneAtATime)
{
    private static readonly Caller Loader = Caller.Internal("parties-reference-data");
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        if (!options.Parties)
        {
            return;
        }

        // The store (Redis, or the Dapr sidecar) may still be starting: try again for a while rather than fail the service.
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await LoadAsync();
                return;
            }
            catch (Exception exception) when (attempt < 30 && errors.IsTransient(exception))
            {
                logger.LogWarning(exception, "Reference data not loaded yet (attempt {Attempt})", attempt);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private async Task LoadAsync()
    {
        var folder = Path.Combine(environment.ContentRootPath, "SeedData");
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "grand-est-parties.json")));
        var created = 0;
        // Successors first, so that a predecessor's successor exists when it is created.
        var parties = document.RootElement.GetProperty("parties").EnumerateArray()
            .OrderBy(p => p.TryGetProperty("successor", out _) ? 1 : 0)
            .ToList();
        foreach (var element in parties)
        {
            var id = element.GetProperty("id").GetString()!;
            if (await repository.GetAsync(id) is not null)
            {
                continue;
            }

            await catalog.CreateAsync(Loader, Parser.Parse<Party>(element.GetRawText()), id, "");
            created++;
        }

        foreach (var element in document.RootElement.GetProperty("memberships").EnumerateArray())
        {
            var membership = Parser.Parse<Membership>(element.GetRawText());
            try
            {
                await catalog.CreateMembershipAsync(Loader, element.GetProperty("group").GetString()!, membership, "");
            }
            catch (AlreadyExistsException)
            {
            }
        }

        logger.LogInformation("Reference data: {Created} parties created, {Total} in the file", created, parties.Count);
        if (options.Schools)
        {
            var result = await importer.ImportAsync(Loader, await File.ReadAllTextAsync(Path.Combine(folder, "annuaire-grand-est-synthetic.csv")), dryRun: false);
            logger.LogInformation(
                "Schools: {Created} created, {Updated} updated, {Unchanged} unchanged, {Skipped} skipped, {Rejected} rejected",
                result.Created, result.Updated, result.Unchanged, result.Skipped, result.Rejected.Count);
        }
    }
}
