using Ent.Partnership.Communications.Domain;

namespace Ent.Partnership.Communications.Tests;

public sealed class ContextRulesTests
{
    private const string Cea = "parties/cea";

    private static readonly DateTimeOffset Publish = new(2025, 10, 6, 8, 0, 0, TimeSpan.Zero);

    private static readonly Charter Charter = new(
        AllowedAudiences: new HashSet<string> { "PARENTS" },
        AllowedCategories: new HashSet<string> { "WORKS" },
        MaxTitleLength: 120,
        MaxBodyLength: 4000,
        MaxValidityDays: 60,
        AllowedLinkDomains: [],
        AllowedContacts: [],
        Terms: [new("grâce à votre Département", TermCategory.Promotional, Severity.Block), new("nos réalisations", TermCategory.Promotional, Severity.Block)],
        AllowedPhrases: [],
        RequireAltText: true,
        UrgentCategories: new HashSet<string>());

    private static readonly TargetSchool Selestat = new("parties/uai-0671001z", "Collège Pierre Mendès France (0671001Z)", "targets.schools[0]", Cea);

    private static MessageDraft Draft(string body, DateTimeOffset publish, int days = 10) =>
        new("Travaux", body, "WORKS", ["PARENTS"], false, publish, publish.AddDays(days), []);

    [Theory]
    [InlineData("2020-03-15", null, "2019-09-01", "2020-03-15")]
    [InlineData("2020-03-15", "2020-06-28", "2019-09-01", "2020-06-28")]
    [InlineData("2021-01-17", "2021-01-24", "2020-07-01", "2021-01-24")]
    [InlineData("2026-12-31", null, "2026-06-01", "2026-12-31")]
    public void TheReserveWindow_StartsOnTheFirstDayOfTheSixthMonthBeforeTheFirstRound(string first, string? second, string start, string end)
    {
        var window = ElectionWindow.Of(DateOnly.Parse(first), second is null ? null : DateOnly.Parse(second));

        Assert.Equal((DateOnly.Parse(start), DateOnly.Parse(end)), window);
    }

    [Fact]
    public void ASchoolUnderAnotherCollectivity_IsOutOfScope_AndNamedByItsField()
    {
        var strasbourg = new TargetSchool("parties/uai-0671002a", "Collège Jean Jaurès (0671002A)", "targets.schools[1]", "parties/dep-67");

        var finding = Assert.Single(ContextRules.CheckScope(Cea, [Selestat, strasbourg]));

        Assert.Equal(("CH-SCOPE", Severity.Block, "targets.schools[1]", "Collège Jean Jaurès (0671002A)"), (finding.RuleId, finding.Severity, finding.Field, finding.Excerpt));
        Assert.Contains("parties/dep-67", finding.Message);
    }

    [Fact]
    public void NoSchoolAtAll_IsOutOfScope() =>
        Assert.Equal("targets", Assert.Single(ContextRules.CheckScope(Cea, [])).Field);

    [Fact]
    public void Frequency_CountsTheIssuersMessagesWithinThirtyDaysEitherSide()
    {
        CountedMessage Sent(string name, int daysFromPublication, params string[] schools) => new(name, Publish.AddDays(daysFromPublication), schools);
        IReadOnlyList<CountedMessage> others =
        [
            Sent("a", -29, Selestat.Name), Sent("b", -2, Selestat.Name), Sent("c", 20, Selestat.Name),
            Sent("d", -31, Selestat.Name), Sent("e", 31, Selestat.Name), Sent("f", 0, "parties/uai-0671009h"),
        ];

        Assert.Empty(ContextRules.CheckFrequency(Publish, [Selestat], others, max: 4));
        var finding = Assert.Single(ContextRules.CheckFrequency(Publish, [Selestat], others, max: 3));
        Assert.Equal(("CH-FREQUENCY", "targets.schools[0]"), (finding.RuleId, finding.Field));
        Assert.Contains("4 messages", finding.Message);
    }

    [Fact]
    public void OutsideTheReserveWindow_NothingIsFound()
    {
        ElectionWindow[] municipal = [new("elections/municipales-2020", "MUNICIPAL 2020-03-15", new(2019, 9, 1), new(2020, 6, 28))];

        Assert.Empty(ContextRules.CheckElectoralReserve(Draft("Grâce à votre Département, le gymnase est rénové.", new(2019, 8, 1, 8, 0, 0, TimeSpan.Zero), days: 20), Charter, municipal));
    }

    [Fact]
    public void APublicationThatReachesIntoTheWindow_IsFlaggedAsTheCharterSays()
    {
        ElectionWindow[] municipal = [new("elections/municipales-2020", "MUNICIPAL 2020-03-15", new(2019, 9, 1), new(2020, 6, 28))];
        var draft = Draft("Le gymnase ferme pour travaux.", new(2019, 8, 25, 8, 0, 0, TimeSpan.Zero), days: 10);

        var review = Assert.Single(ContextRules.CheckElectoralReserve(draft, Charter, municipal));
        var block = Assert.Single(ContextRules.CheckElectoralReserve(draft, Charter with { ElectoralReserve = Severity.Block }, municipal));

        Assert.Equal(("CH-ELECTORAL-RESERVE", Severity.Warn, "publishTime"), (review.RuleId, review.Severity, review.Field));
        Assert.Equal(Severity.Block, block.Severity);
    }

    [Fact]
    public void APromotionalTermInsideTheWindow_AlwaysBlocks_WithItsExcerpt()
    {
        ElectionWindow[] departmental = [new("elections/departementales-2021", "DEPARTMENTAL 2021-06-20", new(2020, 12, 1), new(2021, 6, 27))];
        var draft = Draft("Le gymnase est rénové GRACE A VOTRE DEPARTEMENT et à ses agents.", new(2021, 3, 1, 8, 0, 0, TimeSpan.Zero));

        var findings = ContextRules.CheckElectoralReserve(draft, Charter, departmental).ToList();

        var promotion = Assert.Single(findings, f => f.Severity == Severity.Block);
        Assert.Equal(("CH-ELECTORAL-RESERVE", "body"), (promotion.RuleId, promotion.Field));
        Assert.Equal("Le gymnase est rénové GRACE A VOTRE DEPARTEMENT et à ses agents.", promotion.Excerpt);
    }
}
