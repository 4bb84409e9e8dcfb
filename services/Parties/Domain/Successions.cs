using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Api;

namespace Ent.Partnership.Parties.Domain;

/// <summary>
/// Who succeeded whom: a party with a <c>successor</c> and a <c>validTo</c> passes its rights to the
/// successor the next day. A successor named without an end date has taken nothing yet.
/// </summary>
public static class Successions
{
    /// <summary>The succession a party's end makes, or null when it has none.</summary>
    public static SuccessionStep? StepOf(Party party) =>
        party.Successor.Length > 0 && CivilDate.TryParse(party.ValidTo, out var lastDay)
            ? new SuccessionStep { Predecessor = party.Name, Successor = party.Successor, EffectiveDate = lastDay.AddDays(1).ToText() }
            : null;

    /// <summary>
    /// The successions from <paramref name="party"/> on, oldest first, each party read by
    /// <paramref name="find"/>; a chain that comes back on itself stops there.
    /// </summary>
    public static async Task<IReadOnlyList<SuccessionStep>> ChainAsync(Party party, Func<string, Task<Party?>> find)
    {
        var steps = new List<SuccessionStep>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { party.Name };
        var step = StepOf(party);
        while (step is not null && seen.Add(step.Successor))
        {
            steps.Add(step);
            step = await find(step.Successor) is { } successor ? StepOf(successor) : null;
        }

        return steps;
    }

    /// <summary>Who holds the rights of the chain's first party on <paramref name="date"/>.</summary>
    public static string HolderOn(string party, IEnumerable<SuccessionStep> chain, DateOnly date) =>
        chain.TakeWhile(s => CivilDate.TryParse(s.EffectiveDate, out var from) && from <= date).LastOrDefault()?.Successor ?? party;
}
