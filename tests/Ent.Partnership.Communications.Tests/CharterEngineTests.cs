using Ent.Partnership.Communications.Domain;

namespace Ent.Partnership.Communications.Tests;

public sealed class CharterEngineTests
{
    private static readonly DateTimeOffset Publish = new(2025, 10, 6, 8, 0, 0, TimeSpan.Zero);

    /// <summary>The sample charter of SPEC section 7, in part.</summary>
    private static readonly Charter Sample = new(
        AllowedAudiences: new HashSet<string> { "PUPILS", "PARENTS", "STAFF" },
        AllowedCategories: new HashSet<string> { "TRANSPORT", "CATERING", "GRANTS", "EQUIPMENT", "WORKS", "SAFETY", "EVENT" },
        MaxTitleLength: 120,
        MaxBodyLength: 4000,
        MaxValidityDays: 60,
        AllowedLinkDomains: ["gouv.fr", "grandest.fr", "moselle.fr"],
        AllowedContacts: ["transports@moselle.fr", "03 87 37 57 57"],
        Terms:
        [
            new("offre spéciale", TermCategory.Commercial, Severity.Block),
            new("promotion", TermCategory.Commercial, Severity.Warn),
            new("votez pour", TermCategory.Political, Severity.Block),
            new("votez", TermCategory.Political, Severity.Warn),
            new("élection", TermCategory.Political, Severity.Warn),
            new("prière", TermCategory.Religious, Severity.Warn),
            new("culte", TermCategory.Religious, Severity.Warn),
            new("nos réalisations", TermCategory.Promotional, Severity.Block),
        ],
        AllowedPhrases: ["prière de", "promotion de la santé"],
        RequireAltText: true,
        UrgentCategories: new HashSet<string> { "SAFETY", "TRANSPORT" });

    private static MessageDraft Draft(string body, string title = "Transports scolaires", string category = "TRANSPORT", bool urgent = false,
        DateTimeOffset? expire = null, params Attachment[] attachments) =>
        new(title, body, category, ["PARENTS"], urgent, Publish, expire ?? Publish.AddDays(30), attachments);

    private static IReadOnlyList<CharterFinding> Check(MessageDraft draft) => CharterEngine.Check(draft, Sample);

    [Fact]
    public void AnInstitutionalNotice_HasNoFinding() =>
        Assert.Empty(Check(Draft("Les horaires des cars changent le 3 novembre : voir https://www.moselle.fr/transports.")));

    [Fact]
    public void ATerm_MatchesWithoutCaseOrAccents_AndIsQuotedInItsContext()
    {
        var finding = Assert.Single(Check(Draft("Profitez de notre OFFRE SPECIALE sur les cartes de bus cette semaine.")));

        Assert.Equal(("CH-COMMERCIAL", Severity.Block, "body"), (finding.RuleId, finding.Severity, finding.Field));
        Assert.Contains("OFFRE SPECIALE", finding.Excerpt, StringComparison.Ordinal);
        Assert.Contains("« OFFRE SPECIALE »", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OverlappingTerms_GiveOneFinding_TheStrongest()
    {
        var finding = Assert.Single(Check(Draft("Votez pour nous !")));

        Assert.Equal(("CH-POLITICAL", Severity.Block), (finding.RuleId, finding.Severity));
        Assert.Contains("« Votez pour »", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATermElsewhereInTheText_IsStillItsOwnFinding() =>
        Assert.Equal([Severity.Block, Severity.Warn], Check(Draft("Votez pour nous ! Et votez demain.")).Select(f => f.Severity));

    [Fact]
    public void ATerm_NeverMatchesInsideAnAllowedPhrase() =>
        Assert.Empty(Check(Draft("Prière de ne pas stationner devant le collège. Semaine de la promotion de la santé.")));

    [Fact]
    public void ATerm_MatchesWholeWordsOnly() =>
        Assert.Empty(Check(Draft("Sortie culturelle au musée : la culture pour tous.")));

    [Fact]
    public void TheSameTermOutsideAnAllowedPhrase_StillMatches()
    {
        var finding = Assert.Single(Check(Draft("Prière de venir. Une prière sera dite.")));

        Assert.Equal(("CH-RELIGIOUS", Severity.Warn), (finding.RuleId, finding.Severity));
        Assert.StartsWith("Prière de venir. Une prière", finding.Excerpt, StringComparison.Ordinal);
    }

    [Fact]
    public void PromotionalTerms_AreLeftToTheElectoralReserve() =>
        Assert.Empty(Check(Draft("Découvrez nos réalisations pour les collèges.")));

    [Theory]
    [InlineData("Voir http://www.moselle.fr/cars.", "n'est pas en https")]
    [InlineData("Voir https://moselle.fr.evil.com/cars.", "moselle.fr.evil.com")]
    [InlineData("Voir https://evilmoselle.fr/cars.", "evilmoselle.fr")]
    public void ALink_OutsideTheCharter_Blocks(string body, string reason)
    {
        var finding = Assert.Single(Check(Draft(body)));

        Assert.Equal(("CH-LINKS", Severity.Block), (finding.RuleId, finding.Severity));
        Assert.Contains(reason, finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASubdomainOfAnAllowedDomain_IsAllowed() =>
        Assert.Empty(Check(Draft("Voir https://transports.moselle.fr/horaires.")));

    [Fact]
    public void PersonalData_IsFlagged_ButNotTheIssuersOwnContacts()
    {
        var findings = Check(Draft("Écrire à transports@moselle.fr ou au 03.87.37.57.57, ou à jean.dupont@gmail.com, 06 12 34 56 78."));

        Assert.Equal(["jean.dupont@gmail.com", "06 12 34 56 78"], findings.Select(f => f.Message.Split('»')[0].TrimStart('«', ' ').Trim()));
        Assert.All(findings, f => Assert.Equal(("CH-PERSONAL-DATA", Severity.Warn), (f.RuleId, f.Severity)));
    }

    [Fact]
    public void LengthValidityCategoryAndUrgency_AreChecked()
    {
        var findings = Check(Draft(new string('a', 4001), title: "", category: "EVENT", urgent: true, expire: Publish.AddDays(61)));

        Assert.Equal(
            [("CH-CATEGORY", "urgent"), ("CH-LENGTH", "title"), ("CH-LENGTH", "body"), ("CH-VALIDITY", "expireTime")],
            findings.Select(f => (f.RuleId, f.Field)));
    }

    [Fact]
    public void AnImageWithoutAlternativeText_Blocks()
    {
        var finding = Assert.Single(Check(Draft("Le nouveau plan des lignes.", attachments: new Attachment("https://www.moselle.fr/plan.png", "Plan", "image/png", "", 200_000))));

        Assert.Equal(("CH-ACCESSIBILITY", "attachments[0].altText"), (finding.RuleId, finding.Field));
    }
}
