using System.Text.Json;
using Ent.Partnership.Obligations.Application;
using Ent.Partnership.Obligations.V1;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Storage;
using Google.Protobuf;

namespace Ent.Partnership.Obligations.Seeding;

/// <summary>Whether to load the sample evidence (Development).</summary>
public sealed record SeedOptions
{
    public bool Evidence { get; init; }
}

/// <summary>
/// Records illustrative evidence for the sample convention's first school year once its obligations exist;
/// each piece carries a request id, so loading again records nothing twice.
/// </summary>
public sealed class SampleEvidenceLoader(IOneAtATime oneAtATime, ObligationCatalog catalog, SeedOptions options, IHostEnvironment environment, ILogger<SampleEvidenceLoader> logger)
    : OneReplicaAtATimeService(oneAtATime)
{
    private static readonly Caller Loader = Caller.Internal("obligations-sample-data");
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default);

    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        if (!options.Evidence)
        {
            return;
        }

        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(environment.ContentRootPath, "SeedData", "sample-evidence.json"), stoppingToken));
        var root = document.RootElement;
        var filter = $"convention = \"{root.GetProperty("convention").GetString()}\" AND period_start = {root.GetProperty("periodStart").GetString()}";
        IReadOnlyList<Obligation> obligations = [];
        // The obligations appear when the conventions' events have been handled; wait for them, a while.
        for (var attempt = 0; obligations.Count == 0; attempt++)
        {
            if (attempt == 120)
            {
                logger.LogWarning("The sample convention's obligations are not there; no sample evidence loaded");
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            obligations = (await catalog.ListAsync(filter, 500, "")).Obligations;
        }

        var recorded = 0;
        foreach (var item in root.GetProperty("evidence").EnumerateArray())
        {
            var obligation = obligations.FirstOrDefault(o => o.Obligor == item.GetProperty("obligor").GetString() && o.ClauseId == item.GetProperty("clauseId").GetString());
            if (obligation is null)
            {
                continue;
            }

            for (var i = 0; i < item.GetProperty("count").GetInt32(); i++)
            {
                try
                {
                    await catalog.CreateEvidenceAsync(Loader, obligation.Name, Parser.Parse<Evidence>(item.GetProperty("evidence").GetRawText()), $"sample-{obligation.Name[12..]}-{i}");
                    recorded++;
                }
                catch (DomainException exception)
                {
                    logger.LogWarning("Sample evidence for {Obligation} refused: {Reason}", obligation.Name, exception.Message);
                }
            }
        }

        logger.LogInformation("Sample evidence: {Count} pieces recorded or already there", recorded);
    }
}
