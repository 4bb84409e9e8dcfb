using System.Security.Cryptography;
using System.Text;
using Ent.Partnership.Conventions.V1;
using Ent.Partnership.Obligations.V1;
using Ent.Partnership.Parties.Client;
using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Api;
using static Ent.Partnership.Conventions.V1.ObligationClause.Types;

namespace Ent.Partnership.Obligations.Domain;

/// <summary>
/// What an obligation is, whatever its revision: a convention's clause owed for one signatory slot and one
/// period. There is one live obligation per identity.
/// </summary>
public sealed record ObligationIdentity(string Convention, string ClauseId, string Signatory, string PeriodStart)
{
    public static ObligationIdentity Of(Obligation obligation) =>
        new(obligation.Convention, obligation.ClauseId, obligation.Signatory, obligation.Period.StartDate);

    /// <summary>A key made of the identity, short enough for a document id.</summary>
    public string Id => "i-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{Convention}|{ClauseId}|{Signatory}|{PeriodStart}")))[..24];
}

/// <summary>
/// Turns the obligation clauses of a convention in force into the obligations they call for: one per
/// signatory slot of the clause's role and per period, from the period of the effective date to the end
/// date (open-ended: to the next school year). Names are derived from the revision that first planned an
/// obligation, so planning twice makes nothing new; the register decides what exists already.
/// </summary>
public static class ObligationPlanner
{
    public static List<Obligation> Plan(Convention convention, DateOnly today, IReadOnlyDictionary<string, Succession> successions)
    {
        var obligations = new List<Obligation>();
        var effective = CivilDate.Parse(convention.EffectiveDate, "effectiveDate");
        var end = CivilDate.ParseOptional(convention.EndDate, "endDate");
        var horizon = end ?? SchoolYear.StartOf(today).AddYears(2).AddDays(-1);
        foreach (var article in convention.Articles)
        {
            foreach (var clause in article.Clauses.Where(c => c.ClauseCase == Clause.ClauseOneofCase.Obligation).Select(c => c.Obligation))
            {
                foreach (var signatory in convention.Signatories.Where(s => s.Role == clause.ObligorRole))
                {
                    var target = clause.PartyTargets.FirstOrDefault(t => t.Party == signatory.Party)?.Target ?? clause.Target;
                    var periods = clause.Recurrence == Recurrence.Once
                        ? [(effective, DueOfOnce(clause, effective, end))]
                        : Periods(clause.Recurrence, effective, horizon);
                    foreach (var (start, last) in periods)
                    {
                        obligations.Add(Make(convention, article, clause, signatory.Party, ActorOn(signatory.Party, last, successions), target, start, last));
                    }
                }
            }
        }

        return obligations;
    }

    /// <summary>
    /// A ONCE obligation is due on its clause's due date, else the end date, else the end of the first school
    /// year; never before the effective date.
    /// </summary>
    public static DateOnly DueOfOnce(ObligationClause clause, DateOnly effective, DateOnly? end)
    {
        var due = CivilDate.ParseOptional(clause.DueDate, "dueDate") ?? end ?? SchoolYear.StartOf(effective).AddYears(1).AddDays(-1);
        return due < effective ? effective : due;
    }

    /// <summary>
    /// The periods of a recurrence between two days: school years from 1 September, calendar quarters (a
    /// quarter belongs to the school year in which it starts).
    /// </summary>
    public static IEnumerable<(DateOnly Start, DateOnly End)> Periods(Recurrence recurrence, DateOnly effective, DateOnly end)
    {
        switch (recurrence)
        {
            case Recurrence.PerSchoolYear:
                for (var start = SchoolYear.StartOf(effective); start <= end; start = start.AddYears(1))
                {
                    yield return (start, start.AddYears(1).AddDays(-1));
                }

                break;
            case Recurrence.PerQuarter:
                for (var start = new DateOnly(effective.Year, ((effective.Month - 1) / 3 * 3) + 1, 1); start <= end; start = start.AddMonths(3))
                {
                    yield return (start, start.AddMonths(3).AddDays(-1));
                }

                break;
            default:
                yield return (effective, end);
                break;
        }
    }

    /// <summary>Who owes a signatory's part on <paramref name="day"/>: the signatory, or its successor from then on.</summary>
    public static string ActorOn(string party, DateOnly day, IReadOnlyDictionary<string, Succession> successions) =>
        successions.TryGetValue(party, out var succession) ? succession.HolderOn(day) : party;

    /// <summary>
    /// The slot an obligation fills. Obligations stored before slots were recorded tell it only through their
    /// name, which the planner derived from the slot: tried against the convention's signatories, then the obligor.
    /// </summary>
    public static string SlotOf(Obligation obligation, IEnumerable<string> signatories)
    {
        if (obligation.Signatory.Length > 0)
        {
            return obligation.Signatory;
        }

        var start = CivilDate.Parse(obligation.Period.StartDate, "period.startDate");
        return signatories.Append(obligation.Obligor)
            .FirstOrDefault(slot => "obligations/" + IdOf(obligation.Convention, obligation.ConventionRevision, obligation.ClauseId, slot, start) == obligation.Name)
            ?? obligation.Obligor;
    }

    private static Obligation Make(Convention convention, Article article, ObligationClause clause, string slot, string obligor, long target, DateOnly start, DateOnly end)
    {
        var obligation = new Obligation
        {
            Name = "obligations/" + IdOf(convention.Name, convention.Revision, clause.ClauseId, slot, start),
            Convention = convention.Name,
            ConventionRevision = convention.Revision,
            Article = article.Number,
            ClauseId = clause.ClauseId,
            Signatory = slot,
            Obligor = obligor,
            Kind = clause.Kind,
            Metric = clause.Metric,
            Target = target,
            Period = new Period { StartDate = start.ToText(), EndDate = end.ToText() },
            DueDate = end.ToText(),
            Sla = clause.Sla,
        };
        obligation.Audiences.AddRange(clause.Audiences);
        return obligation;
    }

    /// <summary>A stable id: the same convention revision, clause, signatory and period always give the same one.</summary>
    public static string IdOf(string convention, int revision, string clauseId, string slot, DateOnly start) =>
        "o-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{convention}|{revision}|{clauseId}|{slot}|{start.ToText()}")))[..20];
}
