using Ent.Partnership.Obligations.Domain;
using Ent.Partnership.Obligations.V1;
using static Ent.Partnership.Conventions.V1.ObligationClause.Types;
using static Ent.Partnership.Obligations.V1.Obligation.Types;

namespace Ent.Partnership.Obligations.Tests.Domain;

public sealed class ObligationStatusTests
{
    private static Obligation SchoolYear2019(long achieved, long target = 10, Metric metric = Metric.Sessions) => new()
    {
        Metric = metric,
        Target = target,
        Achieved = achieved,
        Period = new Period { StartDate = "2019-09-01", EndDate = "2020-08-31" },
        DueDate = "2020-08-31",
    };

    [Theory]
    [InlineData("2019-08-31", 0, Status.Pending)]
    [InlineData("2019-09-01", 0, Status.OnTrack)]
    [InlineData("2019-12-31", 0, Status.AtRisk)]
    [InlineData("2019-12-31", 1, Status.OnTrack)]
    [InlineData("2020-03-01", 10, Status.Fulfilled)]
    [InlineData("2020-08-31", 9, Status.OnTrack)]
    [InlineData("2020-09-01", 9, Status.Breached)]
    [InlineData("2020-09-01", 12, Status.Fulfilled)]
    public void ACountMetric_FollowsTheShareOfThePeriodElapsed(string today, long achieved, Status expected) =>
        Assert.Equal(expected, ObligationStatus.Evaluate(SchoolYear2019(achieved), DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture)).Status);

    [Fact]
    public void AServiceLevelObligation_IsPending_UntilItsFirstTicket() =>
        Assert.Equal(Status.Pending, ObligationStatus.Evaluate(SchoolYear2019(0, 90, Metric.TicketsWithinSlaPercent), new DateOnly(2020, 1, 1)).Status);

    [Fact]
    public void AWaivedObligation_StaysWaived()
    {
        var waived = SchoolYear2019(0);
        waived.Status = Status.Waived;

        Assert.Equal(Status.Waived, ObligationStatus.Evaluate(waived, new DateOnly(2021, 1, 1)).Status);
    }
}
