using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.Parties.V1;

namespace Ent.Partnership.Parties.Domain;

/// <summary>
/// Who is competent for a school over time: periods oldest first, an empty <c>from</c> meaning "always" and
/// an empty <c>to</c> meaning "still". At most one period covers a day.
/// </summary>
public static class CompetenceHistory
{
    /// <summary>The party competent on <paramref name="date"/>, or null.</summary>
    public static string? AuthorityOn(IEnumerable<CompetencePeriod> history, DateOnly date) =>
        history.LastOrDefault(p => Covers(p, date))?.Authority;

    public static bool Covers(CompetencePeriod period, DateOnly date) => Overlaps(period, date, date);

    /// <summary>Whether <paramref name="authority"/> is competent on at least one day from <paramref name="first"/> to <paramref name="last"/>.</summary>
    public static bool IsCompetentDuring(IEnumerable<CompetencePeriod> history, string authority, DateOnly first, DateOnly last) =>
        history.Any(p => p.Authority == authority && Overlaps(p, first, last));

    private static bool Overlaps(CompetencePeriod period, DateOnly first, DateOnly last) =>
        (period.From.Length == 0 || CivilDate.TryParse(period.From, out var from) && from <= last)
        && (period.To.Length == 0 || CivilDate.TryParse(period.To, out var to) && first <= to);

    /// <summary>
    /// Makes <paramref name="authority"/> competent from <paramref name="from"/> (or always, when the school
    /// had no one): the open period ends the day before. Returns false when nothing changes.
    /// </summary>
    public static bool Assign(IList<CompetencePeriod> history, string authority, DateOnly from)
    {
        var open = history.LastOrDefault(p => p.To.Length == 0);
        if (open?.Authority == authority)
        {
            return false;
        }

        if (history.Count == 0)
        {
            history.Add(new CompetencePeriod { Authority = authority });
            return true;
        }

        if (open is not null)
        {
            open.To = from.AddDays(-1).ToText();
        }

        history.Add(new CompetencePeriod { Authority = authority, From = from.ToText() });
        return true;
    }

    /// <summary>
    /// Passes the school from <paramref name="predecessor"/> to <paramref name="successor"/> on
    /// <paramref name="effectiveDate"/> when the predecessor is competent then. Returns false otherwise.
    /// </summary>
    public static bool Succeed(IList<CompetencePeriod> history, string predecessor, string successor, DateOnly effectiveDate)
    {
        var period = history.LastOrDefault(p => p.Authority == predecessor && Covers(p, effectiveDate));
        if (period is null)
        {
            return false;
        }

        var until = period.To;
        period.To = effectiveDate.AddDays(-1).ToText();
        history.Insert(history.IndexOf(period) + 1, new CompetencePeriod
        {
            Authority = successor,
            From = effectiveDate.ToText(),
            To = until,
        });
        return true;
    }
}
