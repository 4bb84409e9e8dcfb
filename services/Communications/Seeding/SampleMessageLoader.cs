using Ent.Partnership.Communications.Application;
using Ent.Partnership.Communications.V1;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Storage;
using Google.Protobuf.WellKnownTypes;

namespace Ent.Partnership.Communications.Seeding;

/// <summary>Whether to load the sample data (Development).</summary>
public sealed record SeedOptions
{
    public bool Elections { get; init; }

    public bool Messages { get; init; }
}

/// <summary>
/// A few messages in different states for a developer to look at (Development): a CeA draft, a Moselle
/// message awaiting its rectorat, another sent back, and a Région message published to two lycées. They have
/// fixed ids, so loading again adds nothing. They wait for the charter (from the conventions' events) and
/// the schools (imported by the parties service) a while, and give up quietly.
/// </summary>
public sealed class SampleMessageLoader(IOneAtATime oneAtATime, CommunicationCatalog catalog, MessageParties parties, SeedOptions options, TimeProvider time, ILogger<SampleMessageLoader> logger)
    : OneReplicaAtATimeService(oneAtATime)
{
    private static readonly Caller Admin = Caller.Internal("communications-sample-data");

    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        if (!options.Messages || !await ReadyAsync(stoppingToken))
        {
            return;
        }

        var loaded = 0;
        try
        {
            await CreateAsync("m-sample-draft", "parties/cea", "Travaux au collège pendant les vacances",
                "Le réfectoire sera rénové du 21 décembre au 3 janvier. Les repas restent servis au gymnase.", Common.V1.Category.Works, "uai-0671001z");
            var pending = await CreateAsync("m-sample-pending", "parties/dep-57", "Inscriptions aux transports scolaires",
                "Les inscriptions aux transports scolaires sont ouvertes jusqu'au 15 juillet sur https://www.moselle.fr/transports.", Common.V1.Category.Transport, "uai-0571001d");
            await catalog.SubmitAsync(Admin, pending.Name);
            var sentBack = await CreateAsync("m-sample-changes", "parties/dep-57", "Bourses départementales",
                "Les demandes de bourse se font avant le 30 septembre. Renseignements au 06 12 34 56 78.", Common.V1.Category.Grants, "uai-0571002e");
            await catalog.SubmitAsync(Admin, sentBack.Name);
            await catalog.RequestChangesAsync(Admin, sentBack.Name, "Indiquez le numéro du service des bourses plutôt qu'un numéro personnel.");
            var published = await CreateAsync("m-sample-published", "parties/region-grand-est", "Gratuité des manuels scolaires",
                "Les manuels scolaires restent gratuits pour tous les lycéens cette année. Détails sur https://www.grandest.fr/manuels.", Common.V1.Category.Equipment, "uai-0571091b", "uai-0571092c");
            var submitted = await catalog.SubmitAsync(Admin, published.Name);
            // The reviewer takes note of what the check warns of (an electoral reserve, depending on the day).
            await catalog.ApproveAsync(Admin, published.Name, submitted.Verdict.Findings.Where(f => f.Severity == Finding.Types.Severity.Warn).Select(f => f.RuleId).ToList());
            loaded = 4;
        }
        catch (AlreadyExistsException)
        {
        }
        catch (DomainException exception)
        {
            logger.LogWarning("Sample messages refused: {Reason}", exception.Message);
        }

        logger.LogInformation("Sample messages: {Loaded} loaded", loaded);
    }

    /// <summary>Waits for the schools and the charter, two minutes at most.</summary>
    private async Task<bool> ReadyAsync(CancellationToken stoppingToken)
    {
        var probe = Draft("parties/cea", "", "", Common.V1.Category.Works, "uai-0671001z");
        for (var attempt = 0; attempt < 120; attempt++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            try
            {
                if (await parties.FindAsync("parties/uai-0571092c") is not null && (await catalog.CheckAsync(Admin, probe, "")).CharterRevision > 0)
                {
                    return true;
                }
            }
            catch (Exception exception) when (exception is DomainException or global::Grpc.Core.RpcException)
            {
            }
        }

        logger.LogInformation("No charter or no schools after two minutes: no sample messages");
        return false;
    }

    private Task<Communication> CreateAsync(string id, string issuer, string title, string body, Common.V1.Category category, params string[] schools) =>
        catalog.CreateAsync(Admin, Draft(issuer, title, body, category, schools), id, "");

    private Communication Draft(string issuer, string title, string body, Common.V1.Category category, params string[] schools) => new()
    {
        Issuer = issuer,
        Title = title,
        Body = body,
        Category = category,
        Audiences = { Common.V1.Audience.Parents, Common.V1.Audience.Pupils },
        Targets = new Targets { Schools = { schools.Select(s => "parties/" + s) } },
        ExpireTime = Timestamp.FromDateTimeOffset(time.GetUtcNow().AddDays(30)),
    };
}
