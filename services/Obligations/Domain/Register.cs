using Ent.Partnership.Obligations.V1;
using Ent.Partnership.ServiceDefaults.Api;
using static Ent.Partnership.Obligations.V1.Obligation.Types;

namespace Ent.Partnership.Obligations.Domain;

/// <summary>What the register must do to hold what a convention's revision calls for.</summary>
/// <param name="Created">Obligations of identities the register does not hold yet.</param>
/// <param name="Superseded">Live obligations whose terms change for their slot, each with its successor.</param>
/// <param name="Removed">Live obligations the convention no longer calls for (a removed clause or signatory, a period past a new end).</param>
public sealed record RegisterChanges(
    IReadOnlyList<Obligation> Created,
    IReadOnlyList<(Obligation Old, Obligation New)> Superseded,
    IReadOnlyList<Obligation> Removed)
{
    public bool IsEmpty => Created.Count == 0 && Superseded.Count == 0 && Removed.Count == 0;
}

/// <summary>
/// Compares what a convention calls for with what the register holds, from the day the changes apply: periods
/// ended before that day are never touched, an obligation whose terms are unchanged for its slot keeps its
/// name, and planning again finds nothing to do.
/// </summary>
public static class Register
{
    /// <param name="planned">What the convention calls for (<see cref="ObligationPlanner.Plan"/>).</param>
    /// <param name="held">The convention's obligations in the register, SUPERSEDED ones left out, each with its slot.</param>
    /// <param name="from">The day the changes apply from: periods ended before it are left as they are.</param>
    /// <param name="terminatedOn">A termination scheduled for that day: no period starting on or after it is made.</param>
    public static RegisterChanges Reconcile(IReadOnlyList<Obligation> planned, IReadOnlyList<Obligation> held, DateOnly from, DateOnly? terminatedOn = null)
    {
        var heldByIdentity = new Dictionary<ObligationIdentity, Obligation>();
        foreach (var obligation in held)
        {
            heldByIdentity.TryAdd(ObligationIdentity.Of(obligation), obligation);
        }

        var created = new List<Obligation>();
        var superseded = new List<(Obligation, Obligation)>();
        foreach (var wanted in planned.Where(o => !EndedBefore(o, from)))
        {
            if (!heldByIdentity.TryGetValue(ObligationIdentity.Of(wanted), out var current))
            {
                if (terminatedOn is not { } day || CivilDate.Parse(wanted.Period.StartDate, "period.startDate") < day)
                {
                    created.Add(wanted);
                }
            }
            else if (IsOpen(current) && !SameTerms(current, wanted))
            {
                var successor = wanted.Clone();
                successor.Supersedes = current.Name;
                superseded.Add((current, successor));
            }
        }

        var plannedIdentities = planned.Select(ObligationIdentity.Of).ToHashSet();
        var removed = held.Where(o => IsOpen(o) && !EndedBefore(o, from) && !plannedIdentities.Contains(ObligationIdentity.Of(o))).ToList();
        return new RegisterChanges(created, superseded, removed);
    }

    /// <summary>
    /// Which of an identity's live obligations stays live where the old planner left several: the one with
    /// evidence or tickets, else a waived one (a decision names it), else the oldest.
    /// </summary>
    public static Obligation KeeperOf(IReadOnlyList<Obligation> duplicates, ISet<string> withWork) =>
        duplicates
            .OrderByDescending(o => withWork.Contains(o.Name))
            .ThenByDescending(o => o.Status == Status.Waived)
            .ThenBy(o => o.CreateTime?.ToDateTimeOffset() ?? DateTimeOffset.MaxValue)
            .ThenBy(o => o.Name, StringComparer.Ordinal)
            .First();

    /// <summary>Whether an amendment may still change it: not waived, superseded or settled.</summary>
    public static bool IsOpen(Obligation obligation) =>
        obligation.Status is not (Status.Waived or Status.Superseded or Status.Cancelled) && obligation.SettledOn.Length == 0;

    /// <summary>What the obligation is made of for its slot: kind, audiences, metric, target, period and due date (its recurrence), service levels.</summary>
    public static bool SameTerms(Obligation a, Obligation b) =>
        a.Kind == b.Kind && a.Metric == b.Metric && a.Target == b.Target && a.Audiences.SequenceEqual(b.Audiences)
        && Equals(a.Sla, b.Sla) && a.Period.EndDate == b.Period.EndDate && a.DueDate == b.DueDate;

    private static bool EndedBefore(Obligation obligation, DateOnly day) =>
        CivilDate.Parse(obligation.Period.EndDate, "period.endDate") < day;
}
