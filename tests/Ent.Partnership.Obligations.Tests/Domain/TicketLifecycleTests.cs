using Ent.Partnership.Conventions.V1;
using Ent.Partnership.Obligations.Domain;
using Ent.Partnership.Obligations.V1;
using Ent.Partnership.ServiceDefaults.Errors;
using static Ent.Partnership.Obligations.V1.Ticket.Types;

namespace Ent.Partnership.Obligations.Tests.Domain;

public sealed class TicketLifecycleTests
{
    private static readonly BusinessCalendar Reims = BusinessCalendar.ForSchool("0511001L");

    private static readonly Obligation Assistance = new()
    {
        Name = "obligations/o-assistance",
        Kind = ObligationClause.Types.Kind.Assistance,
        Metric = ObligationClause.Types.Metric.TicketsWithinSlaPercent,
        Target = 90,
        Period = new Period { StartDate = "2024-09-01", EndDate = "2025-08-31" },
        DueDate = "2025-08-31",
        Sla = new ServiceLevel { FirstResponseBusinessHours = 4, ResolutionBusinessHours = 8 },
    };

    private static DateTimeOffset Paris(int month, int day, int hour) =>
        new(new DateTime(2024, month, day, hour, 0, 0), TimeSpan.FromHours(1));

    private static Ticket Opened(DateTimeOffset at)
    {
        var ticket = new Ticket { Name = "tickets/t-1", Level = Level.N1, Summary = "Messagerie inaccessible" };
        TicketLifecycle.Open(ticket, Assistance, Reims, at);
        return ticket;
    }

    [Fact]
    public void Opening_SetsTheDueTimesInBusinessHours()
    {
        var ticket = Opened(Paris(11, 22, 17));

        Assert.Equal(Paris(11, 25, 11), ticket.Sla.TtoDue.ToDateTimeOffset());
        Assert.Equal(Paris(11, 25, 15), ticket.Sla.TtrDue.ToDateTimeOffset());
        Assert.Equal(State.New, ticket.State);
    }

    [Fact]
    public void TimeSpentPending_DoesNotCountTowardsResolution()
    {
        var ticket = Opened(Paris(11, 25, 8));
        TicketLifecycle.Respond(ticket, Paris(11, 25, 9));
        TicketLifecycle.Pause(ticket, Paris(11, 25, 10));
        TicketLifecycle.Resume(ticket, Assistance, Reims, Paris(11, 26, 10));

        Assert.Equal(600, ticket.Sla.PausedMinutes);
        Assert.Equal(Paris(11, 26, 16), ticket.Sla.TtrDue.ToDateTimeOffset());
        TicketLifecycle.Solve(ticket, Assistance, Reims, Paris(11, 26, 15));
        Assert.True(ticket.Sla.TtrMet);
        Assert.True(ticket.Sla.TtoMet);
    }

    [Fact]
    public void ALateFirstResponse_MissesTheTimeToOwn()
    {
        var ticket = Opened(Paris(11, 25, 8));

        TicketLifecycle.Respond(ticket, Paris(11, 25, 13));

        Assert.False(ticket.Sla.TtoMet);
    }

    [Fact]
    public void AStepOutOfOrder_IsRefused()
    {
        var ticket = Opened(Paris(11, 25, 8));

        Assert.Equal("WRONG_STATE", Assert.Throws<FailedPreconditionException>(() => TicketLifecycle.Close(ticket)).Conditions.Single().Type);
        Assert.Throws<FailedPreconditionException>(() => TicketLifecycle.Resume(ticket, Assistance, Reims, Paris(11, 25, 9)));
    }

    [Fact]
    public void ATicketOpenedOutsideThePeriod_IsRefused() =>
        Assert.Equal("OUTSIDE_PERIOD", Assert.Throws<FailedPreconditionException>(() => Opened(Paris(8, 30, 10))).Conditions.Single().Type);

    [Fact]
    public void TheShareInTime_CountsSolvedTicketsAndOverdueOnes()
    {
        var inTime = Opened(Paris(11, 25, 8));
        TicketLifecycle.Solve(inTime, Assistance, Reims, Paris(11, 25, 12));
        var late = Opened(Paris(11, 25, 8));
        TicketLifecycle.Solve(late, Assistance, Reims, Paris(11, 27, 12));
        var overdue = Opened(Paris(11, 25, 8));
        var fresh = Opened(Paris(11, 27, 17));

        Assert.Equal((33L, 3), TicketLifecycle.WithinSla([inTime, late, overdue, fresh], Paris(11, 28, 9)));
    }

    [Fact]
    public void AServiceLevelObligation_IsAtRiskBelowTarget_AndDecidedAtTheEnd()
    {
        var obligation = Assistance.Clone();
        obligation.Achieved = 80;
        obligation.TicketsCounted = 5;

        Assert.Equal(Obligation.Types.Status.AtRisk, ObligationStatus.Evaluate(obligation, new DateOnly(2025, 1, 10)).Status);
        Assert.Equal(Obligation.Types.Status.Breached, ObligationStatus.Evaluate(obligation, new DateOnly(2025, 9, 1)).Status);
        obligation.Achieved = 95;
        Assert.Equal(Obligation.Types.Status.OnTrack, ObligationStatus.Evaluate(obligation, new DateOnly(2025, 1, 10)).Status);
        Assert.Equal(Obligation.Types.Status.Fulfilled, ObligationStatus.Evaluate(obligation, new DateOnly(2025, 9, 1)).Status);
    }
}
