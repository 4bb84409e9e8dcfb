using Ent.Partnership.Obligations.Domain;
using Ent.Partnership.Parties.Client;
using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Errors;

namespace Ent.Partnership.Obligations.Application;

/// <summary>
/// The parties obligations name, as the parties service knows them (<see cref="PartiesDirectory"/>): the
/// schools of evidence and tickets, who succeeded an obligor, the schools under the obligors' competence.
/// </summary>
public sealed class ObligationParties(PartiesDirectory parties)
{
    public async Task CheckSchoolsAsync(IReadOnlyList<string> schools)
    {
        var violations = new List<FieldViolation>();
        for (var i = 0; i < schools.Count; i++)
        {
            var party = await parties.FindAsync(schools[i]);
            if (party is null)
            {
                violations.Add(new($"trainingSession.schools[{i}]", $"L'établissement {schools[i]} n'existe pas."));
            }
            else if (party.Kind != Party.Types.Kind.School)
            {
                violations.Add(new($"trainingSession.schools[{i}]", $"{schools[i]} n'est pas un établissement."));
            }
        }

        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }
    }

    /// <summary>The school a ticket is for; INVALID_ARGUMENT on <c>school</c> when it is none.</summary>
    public async Task<Party> SchoolAsync(string name) => await parties.FindAsync(name) switch
    {
        null => throw new InvalidArgumentException("school", $"L'établissement « {name} » n'existe pas."),
        { Kind: Party.Types.Kind.School } school => school,
        _ => throw new InvalidArgumentException("school", $"{name} n'est pas un établissement."),
    };

    /// <summary>The successions of each of <paramref name="names"/>: the CeA owes the Bas-Rhin's part from 2021-01-01.</summary>
    public async Task<IReadOnlyDictionary<string, Succession>> SuccessionsOfAsync(IEnumerable<string> names, DateOnly today)
    {
        var successions = new Dictionary<string, Succession>(StringComparer.Ordinal);
        foreach (var name in names.Distinct())
        {
            successions[name] = await parties.SuccessionAsync(name, today);
        }

        return successions;
    }

    /// <summary>The schools under the competence of one of <paramref name="authorities"/> on a day of the school year.</summary>
    public async Task<IReadOnlySet<string>> SchoolsUnderAsync(IEnumerable<string> authorities, DateOnly yearStart)
    {
        var schools = new HashSet<string>(StringComparer.Ordinal);
        foreach (var authority in authorities)
        {
            schools.UnionWith((await parties.SchoolsUnderCompetenceAsync(authority, yearStart, ComplianceReporting.YearEnd(yearStart))).Select(s => s.Name));
        }

        return schools;
    }
}
