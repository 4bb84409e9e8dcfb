using BenchmarkDotNet.Attributes;
using Ent.Partnership.Communications.Domain;

namespace Ent.Partnership.Benchmarks;

/// <summary>
/// The charter engine on one core: a 1,500-character message checked against the sample charter of SPEC
/// section 7 (every term, allowed phrase and link domain), with and without an electoral reserve window.
/// </summary>
[MemoryDiagnoser]
[MedianColumn, MinColumn, MaxColumn]
public class CharterEngineBenchmarks
{
    private static readonly Charter Sample = new(
        AllowedAudiences: new HashSet<string> { "PUPILS", "PARENTS", "STAFF" },
        AllowedCategories: new HashSet<string> { "TRANSPORT", "CATERING", "GRANTS", "EQUIPMENT", "WORKS", "SAFETY", "EVENT" },
        MaxTitleLength: 120,
        MaxBodyLength: 4000,
        MaxValidityDays: 60,
        AllowedLinkDomains: ["gouv.fr", "education.fr", "grandest.fr", "alsace.eu", "fluo.eu", "monbureaunumerique.fr", "ac-strasbourg.fr", "ac-nancy-metz.fr", "ac-reims.fr", "moselle.fr"],
        AllowedContacts: ["ent@grandest.fr", "03 88 15 68 67"],
        Terms:
        [
            .. Terms(TermCategory.Commercial, Severity.Block, "offre spéciale", "code promo", "en promotion", "publicité", "sponsorisé"),
            .. Terms(TermCategory.Commercial, Severity.Warn, "promotion", "réduction", "soldes"),
            .. Terms(TermCategory.Political, Severity.Block, "votez pour", "parti politique", "bilan de la majorité", "meeting"),
            .. Terms(TermCategory.Political, Severity.Warn, "candidat", "candidate", "élection", "votez"),
            .. Terms(TermCategory.Religious, Severity.Block, "lieu de culte", "catéchisme"),
            .. Terms(TermCategory.Religious, Severity.Warn, "prière", "culte", "paroisse"),
            .. Terms(TermCategory.Promotional, Severity.Block, "nos réalisations", "grâce à votre Département", "grâce à votre Région", "notre bilan", "bilan du mandat"),
        ],
        AllowedPhrases: ["prière de", "promotion de la santé", "candidats au", "réduction des déchets"],
        RequireAltText: true,
        UrgentCategories: new HashSet<string> { "SAFETY", "TRANSPORT" });

    private static readonly DateTimeOffset Publish = new(2025, 10, 6, 8, 0, 0, TimeSpan.Zero);

    private static readonly ElectionWindow[] Elections = [new("elections/municipales-2026", "MUNICIPAL 2026-03-15", new(2025, 9, 1), new(2026, 3, 22))];

    private readonly MessageDraft _message = new(
        "Transports scolaires : ce qui change à la rentrée",
        Body(),
        "TRANSPORT",
        ["PARENTS", "PUPILS"],
        false,
        Publish,
        Publish.AddDays(30),
        [new("https://www.moselle.fr/plan.png", "Plan des lignes", "image/png", "Plan des lignes de car", 250_000)]);

    /// <summary>About 1,500 characters of an ordinary notice: accents, a link, the issuer's own number, near-misses.</summary>
    private static string Body()
    {
        const string Paragraph = "À partir du lundi 3 novembre, les horaires des lignes de car desservant le collège changent. " +
            "Les élèves demi-pensionnaires trouveront les nouveaux horaires sur https://www.fluo.eu/horaires. " +
            "Prière de respecter les arrêts signalés ; la promotion de la santé passe aussi par la marche. " +
            "Pour toute question, le service des transports répond au 03 88 15 68 67. ";
        var body = string.Concat(Enumerable.Repeat(Paragraph, 5));
        return body[..1500];
    }

    private static IEnumerable<CharterTerm> Terms(TermCategory category, Severity severity, params string[] texts) =>
        texts.Select(t => new CharterTerm(t, category, severity));

    [Benchmark(Baseline = true)]
    public int Check() => CharterEngine.Check(_message, Sample).Count;

    [Benchmark]
    public int CheckInsideAReserveWindow() => CharterEngine.Check(_message, Sample).Count + ContextRules.CheckElectoralReserve(_message, Sample, Elections).Count();
}
