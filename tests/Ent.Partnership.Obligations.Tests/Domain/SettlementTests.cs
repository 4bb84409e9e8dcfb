using Ent.Partnership.Obligations.Domain;
using Ent.Partnership.Obligations.V1;
using Google.Protobuf.WellKnownTypes;
using static Ent.Partnership.Conventions.V1.ObligationClause.Types;
using static Ent.Partnership.Obligations.V1.Obligation.Types;

namespace Ent.Partnership.Obligations.Tests.Domain;

public sealed class SettlementTests
{
    private static readonly DateOnly Day = new(2027, 1, 15);

    private static Obligation SchoolYear(string start, Metric metric = Metric.Sessions, long target = 2) => new()
    {
        Name = "obligations/o-1",
        Metric = metric,
        Target = target,
        Status = Status.OnTrack,
        Period = new Period { StartDate = start, EndDate = DateOnly.Parse(start, System.Globalization.CultureInfo.InvariantCulture).AddYears(1).AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) },
    };

    private static Evidence Session(string heldOn) => new() { TrainingSession = new TrainingSession { HeldOn = heldOn } };

    [Fact]
    public void ARunningPeriod_ShortOfItsTarget_IsCancelled_CountingOnlyWhatWasDoneBefore()
    {
        var settled = Settlement.Settle(SchoolYear("2026-09-01"), Day, "Résiliée le 2027-01-15", [Session("2026-10-01"), Session("2027-01-15")], []);

        Assert.Equal((Status.Cancelled, 1L, "2027-01-15"), (settled.Status, settled.Achieved, settled.SettledOn));
        Assert.Equal("Résiliée le 2027-01-15 : 1 sur 2.", settled.StatusReason);
    }

    [Fact]
    public void ARunningPeriod_ThatReachedItsTarget_IsFulfilled()
    {
        var settled = Settlement.Settle(SchoolYear("2026-09-01"), Day, "Résiliée", [Session("2026-10-01"), Session("2026-11-01")], []);

        Assert.Equal(Status.Fulfilled, settled.Status);
    }

    [Fact]
    public void APeriodStartingOnOrAfterTheDay_IsCancelled()
    {
        Assert.Equal(Status.Cancelled, Settlement.Settle(SchoolYear("2027-09-01"), Day, "Résiliée", [], []).Status);
    }

    [Fact]
    public void AServiceLevel_CountsTheTicketsOpenedBefore_OpenOnesPastDueAsMissed()
    {
        static Ticket Opened(string at, bool? met, string ttrDue)
        {
            var ticket = new Ticket { OpenedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture)), Sla = new TicketSla { TtrDue = Timestamp.FromDateTimeOffset(DateTimeOffset.Parse(ttrDue, System.Globalization.CultureInfo.InvariantCulture)) } };
            if (met is { } value)
            {
                ticket.Sla.TtrMet = value;
            }

            return ticket;
        }

        var tickets = new[]
        {
            Opened("2026-10-01T08:00:00Z", true, "2026-10-02T08:00:00Z"),
            Opened("2026-12-01T08:00:00Z", null, "2026-12-02T08:00:00Z"),
            Opened("2027-01-14T22:00:00Z", null, "2027-01-16T08:00:00Z"),
            Opened("2027-01-20T08:00:00Z", false, "2027-01-21T08:00:00Z"),
        };

        var settled = Settlement.Settle(SchoolYear("2026-09-01", Metric.TicketsWithinSlaPercent, 80), Day, "Résiliée", [], tickets);

        Assert.Equal((Status.Cancelled, 50L, 2), (settled.Status, settled.Achieved, settled.TicketsCounted));
    }

    [Fact]
    public void ASettledObligation_NeverBecomesBreached_AndLateEvidenceMayFulfilIt()
    {
        var settled = Settlement.Settle(SchoolYear("2026-09-01"), Day, "Résiliée", [Session("2026-10-01")], []);

        Assert.Equal(Status.Cancelled, ObligationStatus.Evaluate(settled, new DateOnly(2027, 9, 30)).Status);
        settled.Achieved = 2;
        Assert.Equal(Status.Fulfilled, ObligationStatus.Evaluate(settled, new DateOnly(2027, 9, 30)).Status);
    }

    [Fact]
    public void ASettledObligation_RefusesEvidenceDatedOnOrAfterItsDay()
    {
        var settled = Settlement.Settle(SchoolYear("2026-09-01"), Day, "Résiliée", [], []);
        settled.Kind = Kind.Training;
        var session = new Evidence { TrainingSession = new TrainingSession { HeldOn = "2027-01-20", Audience = Audience.Teachers, Hours = 2, Modality = TrainingSession.Types.Modality.OnSite } };

        var refused = Assert.Throws<Ent.Partnership.ServiceDefaults.Errors.FailedPreconditionException>(() => EvidenceRules.Check(settled, session, new DateOnly(2027, 2, 1)));
        session.TrainingSession.HeldOn = "2027-01-10";
        EvidenceRules.Check(settled, session, new DateOnly(2027, 2, 1));

        Assert.Equal("OBLIGATION_CLOSED", Assert.Single(refused.Conditions).Type);
    }
}
