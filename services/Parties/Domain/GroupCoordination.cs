using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Api;

namespace Ent.Partnership.Parties.Domain;

/// <summary>
/// A purchasing group has exactly one COORDINATOR at any date it has members: the days where it has two, or
/// members and none, are what a change of its memberships must not add.
/// </summary>
public static class GroupCoordination
{
    /// <summary>A span of days (the last open when null) where the group breaks the rule.</summary>
    public sealed record Breach(DateOnly From, DateOnly? To, int Coordinators);

    public static IReadOnlyList<Breach> BreachesOf(IEnumerable<Membership> memberships)
    {
        var spans = memberships
            .Select(m => (Joined: CivilDate.TryParse(m.JoinedOn, out var j) ? j : (DateOnly?)null,
                Left: CivilDate.TryParse(m.LeftOn, out var l) ? l : (DateOnly?)null,
                Coordinates: m.Role == Membership.Types.Role.Coordinator))
            .Where(s => s.Joined is not null && (s.Left is null || s.Left >= s.Joined))
            .ToList();
        // The days the group's membership changes: each joining, and the day after each leaving.
        var boundaries = spans.Select(s => s.Joined!.Value)
            .Concat(spans.Where(s => s.Left is not null).Select(s => s.Left!.Value.AddDays(1)))
            .Distinct().Order().ToList();
        var breaches = new List<Breach>();
        for (var i = 0; i < boundaries.Count; i++)
        {
            var day = boundaries[i];
            var active = spans.Where(s => s.Joined <= day && (s.Left is null || s.Left >= day)).ToList();
            var coordinators = active.Count(s => s.Coordinates);
            if (active.Count > 0 && coordinators != 1)
            {
                breaches.Add(new Breach(day, i + 1 < boundaries.Count ? boundaries[i + 1].AddDays(-1) : null, coordinators));
            }
        }

        return breaches;
    }

    /// <summary>
    /// The breaches <paramref name="after"/> has that <paramref name="before"/> had not, described in French;
    /// with <paramref name="twoCoordinatorsOnly"/>, only days with two coordinators (a group being recorded
    /// member by member has days without one).
    /// </summary>
    public static IReadOnlyList<string> Added(IEnumerable<Membership> before, IEnumerable<Membership> after, bool twoCoordinatorsOnly = false)
    {
        var known = BreachesOf(before).ToHashSet();
        return BreachesOf(after).Where(b => !known.Contains(b) && (!twoCoordinatorsOnly || b.Coordinators > 1)).Select(Describe).ToList();
    }

    private static string Describe(Breach breach)
    {
        var span = breach.To is { } to ? $"du {breach.From.ToText()} au {to.ToText()}" : $"à partir du {breach.From.ToText()}";
        return breach.Coordinators == 0
            ? $"Le groupement n'aurait pas de coordonnateur {span}."
            : $"Le groupement aurait {breach.Coordinators} coordonnateurs {span}.";
    }
}
