using Ent.Partnership.Obligations.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;
using Google.Protobuf.WellKnownTypes;
using static Ent.Partnership.Obligations.V1.Ticket.Types;

namespace Ent.Partnership.Obligations.Domain;

/// <summary>
/// A ticket's life (NEW → ASSIGNED ⇄ PENDING → SOLVED → CLOSED, SOLVED → ASSIGNED) and its service-level
/// clocks in business hours: time to own from opening to first response, time to resolve from opening to
/// solution, the time spent PENDING not counted.
/// </summary>
public static class TicketLifecycle
{
    /// <summary>Checks and opens a ticket under its ASSISTANCE obligation.</summary>
    public static void Open(Ticket ticket, Obligation obligation, BusinessCalendar calendar, DateTimeOffset now)
    {
        if (obligation.Kind != Conventions.V1.ObligationClause.Types.Kind.Assistance || obligation.Sla is null)
        {
            throw new FailedPreconditionException("NOT_AN_ASSISTANCE_OBLIGATION", obligation.Name, "Un ticket s'ouvre sous une obligation d'assistance avec niveaux de service.");
        }

        var violations = new List<FieldViolation>();
        if (ticket.Level == Level.Unspecified)
        {
            violations.Add(new("level", "Le niveau (N1, N2 ou N3) est obligatoire."));
        }

        if (string.IsNullOrWhiteSpace(ticket.Summary))
        {
            violations.Add(new("summary", "Le résumé de la demande est obligatoire."));
        }

        var opened = ticket.OpenedAt?.ToDateTimeOffset() ?? now;
        if (opened > now)
        {
            violations.Add(new("openedAt", "Un ticket ne s'ouvre pas dans le futur."));
        }

        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }

        var day = CivilDate.Today(new FixedTime(opened));
        if (day < CivilDate.Parse(obligation.Period.StartDate, "startDate") || day > CivilDate.Parse(obligation.Period.EndDate, "endDate"))
        {
            throw new FailedPreconditionException("OUTSIDE_PERIOD", obligation.Name,
                $"Le ticket est ouvert hors de la période de l'obligation ({obligation.Period.StartDate} – {obligation.Period.EndDate}).");
        }

        ticket.State = State.New;
        ticket.OpenedAt = Timestamp.FromDateTimeOffset(opened);
        ticket.Sla = new TicketSla
        {
            TtoDue = Timestamp.FromDateTimeOffset(calendar.AddBusinessHours(opened, TimeSpan.FromHours(obligation.Sla.FirstResponseBusinessHours))),
            TtrDue = Timestamp.FromDateTimeOffset(calendar.AddBusinessHours(opened, TimeSpan.FromHours(obligation.Sla.ResolutionBusinessHours))),
        };
    }

    public static void Respond(Ticket ticket, DateTimeOffset now)
    {
        Require(ticket, "prise en charge", State.New);
        ticket.State = State.Assigned;
        FirstResponse(ticket, now);
    }

    public static void Pause(Ticket ticket, DateTimeOffset now)
    {
        Require(ticket, "mise en attente", State.Assigned);
        ticket.State = State.Pending;
        ticket.Sla.PausedSince = Timestamp.FromDateTimeOffset(now);
    }

    public static void Resume(Ticket ticket, Obligation obligation, BusinessCalendar calendar, DateTimeOffset now)
    {
        Require(ticket, "reprise", State.Pending);
        EndPause(ticket, obligation, calendar, now);
        ticket.State = State.Assigned;
    }

    public static void Solve(Ticket ticket, Obligation obligation, BusinessCalendar calendar, DateTimeOffset now)
    {
        Require(ticket, "résolution", State.New, State.Assigned, State.Pending);
        if (ticket.State == State.Pending)
        {
            EndPause(ticket, obligation, calendar, now);
        }

        if (ticket.State == State.New)
        {
            FirstResponse(ticket, now);
        }

        ticket.State = State.Solved;
        ticket.SolvedAt = Timestamp.FromDateTimeOffset(now);
        ticket.Sla.TtrMet = now <= ticket.Sla.TtrDue.ToDateTimeOffset();
    }

    public static void Close(Ticket ticket)
    {
        Require(ticket, "clôture", State.Solved);
        ticket.State = State.Closed;
    }

    public static void Reopen(Ticket ticket)
    {
        Require(ticket, "réouverture", State.Solved);
        ticket.State = State.Assigned;
        ticket.SolvedAt = null;
        ticket.Sla.ClearTtrMet();
    }

    /// <summary>
    /// The share of tickets resolved in time, in percent, among those that count: solved, or still open past
    /// their resolution due time.
    /// </summary>
    public static (long Percent, int Counted) WithinSla(IEnumerable<Ticket> tickets, DateTimeOffset now)
    {
        var counted = tickets.Where(t => t.Sla.HasTtrMet || t.Sla.TtrDue.ToDateTimeOffset() < now).ToList();
        if (counted.Count == 0)
        {
            return (0, 0);
        }

        var within = counted.Count(t => t.Sla.HasTtrMet && t.Sla.TtrMet);
        return ((long)Math.Floor(100.0 * within / counted.Count), counted.Count);
    }

    private static void FirstResponse(Ticket ticket, DateTimeOffset now)
    {
        ticket.FirstResponseAt = Timestamp.FromDateTimeOffset(now);
        ticket.Sla.TtoMet = now <= ticket.Sla.TtoDue.ToDateTimeOffset();
    }

    private static void EndPause(Ticket ticket, Obligation obligation, BusinessCalendar calendar, DateTimeOffset now)
    {
        var paused = calendar.BusinessTimeBetween(ticket.Sla.PausedSince.ToDateTimeOffset(), now);
        ticket.Sla.PausedMinutes += (int)paused.TotalMinutes;
        ticket.Sla.PausedSince = null;
        var resolution = TimeSpan.FromHours(obligation.Sla.ResolutionBusinessHours) + TimeSpan.FromMinutes(ticket.Sla.PausedMinutes);
        ticket.Sla.TtrDue = Timestamp.FromDateTimeOffset(calendar.AddBusinessHours(ticket.OpenedAt.ToDateTimeOffset(), resolution));
    }

    private static void Require(Ticket ticket, string step, params State[] allowed)
    {
        if (!allowed.Contains(ticket.State))
        {
            throw new FailedPreconditionException("WRONG_STATE", ticket.Name,
                $"Le ticket est {ProtoEnum.Name(ticket.State)} ; la {step} demande {string.Join(" ou ", allowed.Select(s => ProtoEnum.Name(s)))}.");
        }
    }

    /// <summary>A clock stopped at one instant, to read that instant's Paris date.</summary>
    private sealed class FixedTime(DateTimeOffset instant) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => instant.ToUniversalTime();
    }
}
