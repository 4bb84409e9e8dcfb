using Ent.Partnership.Obligations.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;
using static Ent.Partnership.Obligations.V1.Obligation.Types;

namespace Ent.Partnership.Obligations.Domain;

/// <summary>The compliance report, computed from obligations, their evidence and the schools.</summary>
public static class ComplianceReporting
{
    /// <summary>The first day of the school year named "2019-2020"; INVALID_ARGUMENT otherwise.</summary>
    public static DateOnly ParseSchoolYear(string text)
    {
        if (text.Length == 9 && text[4] == '-' && int.TryParse(text.AsSpan(0, 4), out var first) && int.TryParse(text.AsSpan(5), out var second)
            && second == first + 1 && first is > 1900 and < 3000)
        {
            return new DateOnly(first, 9, 1);
        }

        throw new InvalidArgumentException("schoolYear", $"« {text} » n'est pas une année scolaire de la forme 2019-2020.");
    }

    /// <summary>The last day of the school year starting on <paramref name="yearStart"/>.</summary>
    public static DateOnly YearEnd(DateOnly yearStart) => yearStart.AddYears(1).AddDays(-1);

    /// <summary>The parties that owe what counts in a report: the schools under their competence during the year are the convention's.</summary>
    public static IReadOnlySet<string> Obligors(IEnumerable<Obligation> obligations) =>
        obligations.Where(Counts).Select(o => o.Obligor).ToHashSet(StringComparer.Ordinal);

    /// <summary>Whether an obligation counts in the report's shares: not WAIVED, SUPERSEDED (its successor counts) nor CANCELLED.</summary>
    public static bool Counts(Obligation obligation) => obligation.Status is not (Status.Waived or Status.Superseded or Status.Cancelled);

    /// <summary>Whether an obligation belongs to the school year: its period starts in it, whatever its recurrence.</summary>
    public static bool InSchoolYear(Obligation obligation, DateOnly yearStart) =>
        CivilDate.TryParse(obligation.Period.StartDate, out var start) && SchoolYear.StartOf(start) == yearStart;

    public static ComplianceReport Build(
        string convention, DateOnly yearStart, IReadOnlyList<Obligation> obligations, IEnumerable<Evidence> training, IReadOnlySet<string> underConvention)
    {
        var report = new ComplianceReport { Convention = convention, SchoolYear = SchoolYear.NameOf(yearStart), Counts = new StatusCounts() };
        foreach (var group in obligations.GroupBy(o => o.Obligor).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var party = new PartyCompliance { Party = group.Key, Counts = new StatusCounts() };
            foreach (var obligation in group.OrderBy(o => o.ClauseId, StringComparer.Ordinal).ThenBy(o => o.Period.StartDate, StringComparer.Ordinal))
            {
                party.Obligations.Add(new ObligationLine
                {
                    Obligation = obligation.Name,
                    ClauseId = obligation.ClauseId,
                    Kind = obligation.Kind,
                    Metric = obligation.Metric,
                    Target = obligation.Target,
                    Achieved = obligation.Achieved,
                    Status = obligation.Status,
                    StatusReason = obligation.StatusReason,
                    Period = obligation.Period,
                });
                Count(party.Counts, obligation.Status);
                Count(report.Counts, obligation.Status);
            }

            report.Parties.Add(party);
        }

        var reached = training.Where(e => e.TrainingSession is not null).SelectMany(e => e.TrainingSession.Schools)
            .Where(underConvention.Contains).Distinct().Count();
        report.Coverage = new SchoolCoverage
        {
            Schools = underConvention.Count,
            Reached = reached,
            Share = underConvention.Count == 0 ? 0 : Math.Round(reached / (double)underConvention.Count, 4),
        };
        return report;
    }

    private static void Count(StatusCounts counts, Status status)
    {
        switch (status)
        {
            case Status.Pending: counts.Pending++; break;
            case Status.OnTrack: counts.OnTrack++; break;
            case Status.AtRisk: counts.AtRisk++; break;
            case Status.Fulfilled: counts.Fulfilled++; break;
            case Status.Breached: counts.Breached++; break;
            case Status.Waived: counts.Waived++; break;
            case Status.Superseded: counts.Superseded++; break;
            case Status.Cancelled: counts.Cancelled++; break;
        }
    }
}
