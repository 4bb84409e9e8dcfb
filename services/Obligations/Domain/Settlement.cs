using Ent.Partnership.Obligations.V1;
using Ent.Partnership.ServiceDefaults.Api;
using static Ent.Partnership.Conventions.V1.ObligationClause.Types;
using static Ent.Partnership.Obligations.V1.Obligation.Types;

namespace Ent.Partnership.Obligations.Domain;

/// <summary>
/// How an obligation ends when its convention does, on settlement day S (the termination date, the day after
/// the end date, or the day an amendment removing its clause or signatory applies): a period ended before S
/// follows the ordinary rules; one running on S is settled with what was done before S; one starting on or
/// after S is CANCELLED. A settled obligation never becomes BREACHED.
/// </summary>
public static class Settlement
{
    /// <summary>Whether the obligation's period is still to be settled on <paramref name="day"/> (it has not ended before).</summary>
    public static bool Concerns(Obligation obligation, DateOnly day) =>
        CivilDate.Parse(obligation.Period.EndDate, "period.endDate") >= day;

    /// <param name="obligation">An obligation whose period has not ended before <paramref name="day"/>.</param>
    /// <param name="day">Settlement day S.</param>
    /// <param name="why">What ended it, in French: « Résiliée le 2027-01-15 ».</param>
    /// <param name="evidence">Its evidence (own and counted); only what is dated before S counts.</param>
    /// <param name="tickets">Its tickets; only those opened before S count.</param>
    public static Obligation Settle(Obligation obligation, DateOnly day, string why, IEnumerable<Evidence> evidence, IEnumerable<Ticket> tickets)
    {
        var settled = obligation.Clone();
        settled.SettledOn = day.ToText();
        if (CivilDate.Parse(obligation.Period.StartDate, "period.startDate") >= day)
        {
            settled.Status = Status.Cancelled;
            settled.StatusReason = $"{why} : la période ({obligation.Period.StartDate} – {obligation.Period.EndDate}) n'avait pas commencé.";
            return settled;
        }

        if (settled.Metric == Metric.TicketsWithinSlaPercent)
        {
            var start = CivilDate.StartOf(day);
            (settled.Achieved, settled.TicketsCounted) = TicketLifecycle.WithinSla(tickets.Where(t => t.OpenedAt.ToDateTimeOffset() < start), start);
            var reached = settled.TicketsCounted == 0 || settled.Achieved >= settled.Target;
            settled.Status = reached ? Status.Fulfilled : Status.Cancelled;
            settled.StatusReason = settled.TicketsCounted == 0
                ? $"{why} : aucun ticket ne comptait."
                : $"{why} : {settled.Achieved} % sur {settled.Target} % des tickets résolus dans les délais.";
            return settled;
        }

        settled.Achieved = EvidenceRules.Achieved(settled, evidence.Where(e => EvidenceRules.DateOf(e) < day).ToList());
        settled.Status = settled.Achieved >= settled.Target ? Status.Fulfilled : Status.Cancelled;
        settled.StatusReason = $"{why} : {settled.Achieved} sur {settled.Target}.";
        return settled;
    }
}
