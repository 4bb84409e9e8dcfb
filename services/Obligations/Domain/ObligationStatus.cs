using Ent.Partnership.Obligations.V1;
using Ent.Partnership.ServiceDefaults.Api;
using static Ent.Partnership.Conventions.V1.ObligationClause.Types;
using static Ent.Partnership.Obligations.V1.Obligation.Types;

namespace Ent.Partnership.Obligations.Domain;

/// <summary>How an obligation stands on a day, by SPEC section 6's rules.</summary>
public static class ObligationStatus
{
    /// <summary>
    /// The status and its reason on <paramref name="today"/>; WAIVED and SUPERSEDED are final, and a settled
    /// obligation only moves from CANCELLED to FULFILLED, when evidence dated before its settlement is recorded late.
    /// </summary>
    public static (Status Status, string Reason) Evaluate(Obligation obligation, DateOnly today)
    {
        if (obligation.Status is Status.Waived or Status.Superseded)
        {
            return (obligation.Status, obligation.StatusReason);
        }

        if (obligation.SettledOn.Length > 0)
        {
            return obligation.Status == Status.Cancelled && obligation.Metric != Metric.TicketsWithinSlaPercent && obligation.Achieved >= obligation.Target
                ? (Status.Fulfilled, $"Cible atteinte avant le solde du {obligation.SettledOn} : {obligation.Achieved} pour {obligation.Target}.")
                : (obligation.Status, obligation.StatusReason);
        }

        var start = CivilDate.Parse(obligation.Period.StartDate, "period.startDate");
        var due = CivilDate.Parse(obligation.DueDate, "dueDate");
        if (today < start)
        {
            return (Status.Pending, $"La période commence le {obligation.Period.StartDate}.");
        }

        if (obligation.Metric == Metric.TicketsWithinSlaPercent)
        {
            return ServiceLevel(obligation, today > due);
        }

        if (obligation.Achieved >= obligation.Target)
        {
            return (Status.Fulfilled, $"Cible atteinte : {obligation.Achieved} pour {obligation.Target}.");
        }

        if (today > due)
        {
            return (Status.Breached, $"Échéance du {obligation.DueDate} passée : {obligation.Achieved} pour {obligation.Target}.");
        }

        var elapsed = (today.DayNumber - start.DayNumber + 1) / (double)(due.DayNumber - start.DayNumber + 1);
        var done = obligation.Target == 0 ? 1 : obligation.Achieved / (double)obligation.Target;
        return elapsed - done > 0.25
            ? (Status.AtRisk, $"{elapsed:P0} de la période écoulée pour {done:P0} de la cible.")
            : (Status.OnTrack, $"{elapsed:P0} de la période écoulée pour {done:P0} de la cible.");
    }

    /// <summary>PENDING until a ticket counts, AT_RISK while below target, decided at the end of the period.</summary>
    private static (Status Status, string Reason) ServiceLevel(Obligation obligation, bool ended)
    {
        if (obligation.TicketsCounted == 0)
        {
            return ended
                ? (Status.Fulfilled, "Aucun ticket sur la période.")
                : (Status.Pending, "Aucun ticket ne compte encore sur la période.");
        }

        var share = $"{obligation.Achieved} % des {obligation.TicketsCounted} tickets résolus dans les délais (cible {obligation.Target} %).";
        return (obligation.Achieved >= obligation.Target, ended) switch
        {
            (true, true) => (Status.Fulfilled, share),
            (false, true) => (Status.Breached, share),
            (true, false) => (Status.OnTrack, share),
            _ => (Status.AtRisk, share),
        };
    }
}
