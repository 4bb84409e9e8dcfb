using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Api;

namespace Ent.Partnership.Parties.Client;

/// <summary>
/// The parties service's answer about a party's successions, read for any day: the same reading as its
/// <c>holder</c> (checked against it by the parties' contract tests), for callers that ask about many days.
/// </summary>
public static class SuccessionReading
{
    /// <summary>Who holds the party's rights on <paramref name="day"/>: the last successor whose first day has come.</summary>
    public static string HolderOn(this Succession succession, DateOnly day) =>
        succession.Steps.TakeWhile(s => CivilDate.TryParse(s.EffectiveDate, out var from) && from <= day).LastOrDefault()?.Successor
        ?? succession.Party;

    /// <summary>Whether <paramref name="party"/> is the party itself or one of its successors, on any day.</summary>
    public static bool PassesTo(this Succession succession, string party) =>
        succession.Party == party || succession.Steps.Any(s => s.Successor == party);
}
