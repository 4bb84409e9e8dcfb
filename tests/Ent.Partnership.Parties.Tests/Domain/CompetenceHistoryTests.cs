using Ent.Partnership.Parties.Domain;
using Ent.Partnership.Parties.V1;

namespace Ent.Partnership.Parties.Tests.Domain;

public sealed class CompetenceHistoryTests
{
    private static readonly DateOnly Succession = new(2021, 1, 1);

    [Fact]
    public void Succeed_EndsThePredecessorTheDayBefore_AndKeepsItsHistory()
    {
        var history = new List<CompetencePeriod> { new() { Authority = "parties/dep-67" } };

        Assert.True(CompetenceHistory.Succeed(history, "parties/dep-67", "parties/cea", Succession));

        Assert.Equal("parties/dep-67", CompetenceHistory.AuthorityOn(history, new DateOnly(2019, 11, 22)));
        Assert.Equal("parties/dep-67", CompetenceHistory.AuthorityOn(history, new DateOnly(2020, 12, 31)));
        Assert.Equal("parties/cea", CompetenceHistory.AuthorityOn(history, Succession));
        Assert.Equal([("parties/dep-67", "", "2020-12-31"), ("parties/cea", "2021-01-01", "")], history.Select(p => (p.Authority, p.From, p.To)));
    }

    [Fact]
    public void Succeed_ChangesNothing_WhenThePredecessorIsNotCompetentThatDay()
    {
        var history = new List<CompetencePeriod> { new() { Authority = "parties/dep-67" } };
        CompetenceHistory.Succeed(history, "parties/dep-67", "parties/cea", Succession);

        Assert.False(CompetenceHistory.Succeed(history, "parties/dep-67", "parties/cea", Succession));
        Assert.False(CompetenceHistory.Succeed(history, "parties/dep-68", "parties/cea", Succession));
        Assert.Equal(2, history.Count);
    }

    [Fact]
    public void Assign_StartsAPeriod_AndEndsTheOpenOneTheDayBefore()
    {
        var history = new List<CompetencePeriod>();

        Assert.True(CompetenceHistory.Assign(history, "parties/dep-57", new DateOnly(2024, 9, 1)));
        Assert.False(CompetenceHistory.Assign(history, "parties/dep-57", new DateOnly(2025, 1, 1)));
        Assert.True(CompetenceHistory.Assign(history, "parties/region-grand-est", new DateOnly(2025, 9, 1)));

        Assert.Equal("parties/dep-57", CompetenceHistory.AuthorityOn(history, new DateOnly(2000, 1, 1)));
        Assert.Equal("parties/dep-57", CompetenceHistory.AuthorityOn(history, new DateOnly(2025, 8, 31)));
        Assert.Equal("parties/region-grand-est", CompetenceHistory.AuthorityOn(history, new DateOnly(2025, 9, 1)));
    }

    [Fact]
    public void AuthorityOn_IsNull_WhenNoPeriodCoversTheDay()
    {
        var history = new List<CompetencePeriod> { new() { Authority = "parties/cea", From = "2021-01-01" } };

        Assert.Null(CompetenceHistory.AuthorityOn(history, new DateOnly(2020, 12, 31)));
    }
}
