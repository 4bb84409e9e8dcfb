using Ent.Partnership.Obligations.Domain;
using Ent.Partnership.Obligations.V1;
using Ent.Partnership.ServiceDefaults.Errors;
using static Ent.Partnership.Conventions.V1.ObligationClause.Types;

namespace Ent.Partnership.Obligations.Tests.Domain;

public sealed class EvidenceRulesTests
{
    private static readonly DateOnly Today = new(2020, 3, 1);

    private static Obligation ObligationOf(Kind kind, Metric metric) => new()
    {
        Name = "obligations/o-1",
        Kind = kind,
        Metric = metric,
        Target = 3,
        Period = new Period { StartDate = "2019-09-01", EndDate = "2020-08-31" },
        DueDate = "2020-08-31",
        Status = V1.Obligation.Types.Status.OnTrack,
    };

    private static Evidence Session(string heldOn = "2019-10-10", int participants = 12, double hours = 3, params string[] schools)
    {
        var session = new TrainingSession { HeldOn = heldOn, Audience = Audience.Teachers, Participants = participants, Hours = hours, Modality = TrainingSession.Types.Modality.OnSite };
        session.Schools.AddRange(schools);
        return new Evidence { TrainingSession = session };
    }

    [Fact]
    public void ATrainingSession_InThePeriod_IsAccepted() =>
        EvidenceRules.Check(ObligationOf(Kind.Training, Metric.Sessions), Session(), Today);

    [Theory]
    [InlineData("2019-08-31")]
    [InlineData("2020-09-01")]
    public void EvidenceOutsideThePeriod_IsRefused(string heldOn)
    {
        var error = Assert.Throws<FailedPreconditionException>(() => EvidenceRules.Check(ObligationOf(Kind.Training, Metric.Sessions), Session(heldOn), new DateOnly(2021, 1, 1)));

        Assert.Equal("OUTSIDE_PERIOD", error.Conditions.Single().Type);
    }

    [Fact]
    public void EvidenceInTheFuture_IsABadField() =>
        Assert.Equal("trainingSession.heldOn",
            Assert.Throws<InvalidArgumentException>(() => EvidenceRules.Check(ObligationOf(Kind.Training, Metric.Sessions), Session("2020-04-01"), Today)).Violations.Single().Field);

    [Fact]
    public void ASession_NeedsHoursAndNoNegativeParticipants()
    {
        var error = Assert.Throws<InvalidArgumentException>(() => EvidenceRules.Check(ObligationOf(Kind.Training, Metric.Sessions), Session(participants: -1, hours: 0), Today));

        Assert.Equal(["trainingSession.participants", "trainingSession.hours"], error.Violations.Select(v => v.Field));
    }

    [Fact]
    public void APayment_ForATrainingObligation_IsRefused() =>
        Assert.Equal("trainingSession", Assert.Throws<InvalidArgumentException>(() => EvidenceRules.Check(
            ObligationOf(Kind.Training, Metric.Sessions), new Evidence { Payment = new Payment { AmountCents = 100, PaidOn = "2019-10-01" } }, Today)).Violations.Single().Field);

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(long.MaxValue)]
    public void APayment_OfNothingOrOfAnAbsurdAmount_IsRefused(long cents) =>
        Assert.Equal("payment.amountCents", Assert.Throws<InvalidArgumentException>(() => EvidenceRules.Check(
            ObligationOf(Kind.Financing, Metric.AmountCents), new Evidence { Payment = new Payment { AmountCents = cents, PaidOn = "2019-10-01" } }, Today)).Violations.Single().Field);

    [Fact]
    public void AWaivedObligation_TakesNoMoreEvidence()
    {
        var waived = ObligationOf(Kind.Training, Metric.Sessions);
        waived.Status = V1.Obligation.Types.Status.Waived;

        Assert.Equal("OBLIGATION_CLOSED", Assert.Throws<FailedPreconditionException>(() => EvidenceRules.Check(waived, Session(), Today)).Conditions.Single().Type);
    }

    [Fact]
    public void Achieved_CountsWhatTheMetricCounts()
    {
        Evidence[] evidence = [Session(schools: ["parties/uai-a", "parties/uai-b"]), Session(participants: 8, schools: ["parties/uai-b", "parties/uai-c"])];

        Assert.Equal(2, EvidenceRules.Achieved(ObligationOf(Kind.Training, Metric.Sessions), evidence));
        Assert.Equal(20, EvidenceRules.Achieved(ObligationOf(Kind.Training, Metric.Participants), evidence));
        Assert.Equal(3, EvidenceRules.Achieved(ObligationOf(Kind.Training, Metric.SchoolsCovered), evidence));
        Assert.Equal(250_000, EvidenceRules.Achieved(ObligationOf(Kind.Financing, Metric.AmountCents),
            [new Evidence { Payment = new Payment { AmountCents = 200_000 } }, new Evidence { Payment = new Payment { AmountCents = 50_000 } }]));
    }
}
