using Ent.Partnership.Communications.Domain;
using Ent.Partnership.Parties.Client;
using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Errors;

namespace Ent.Partnership.Communications.Application;

/// <summary>A target school with what the service needs of it: its party record and where the check found it.</summary>
public sealed record ResolvedSchool(Party Party, TargetSchool Target);

/// <summary>
/// The parties a message concerns: the schools it targets, the académies that review it, the parties whose
/// rights its issuer holds. Who exists, who is competent and who succeeded whom are the parties service's
/// answers (<see cref="PartiesDirectory"/>).
/// </summary>
public sealed class MessageParties(PartiesDirectory parties)
{
    /// <summary>A party, or null when the parties service does not know it.</summary>
    public Task<Party?> FindAsync(string name) => parties.FindAsync(name);

    /// <summary>
    /// The schools a message targets on <paramref name="date"/>: the named ones (INVALID_ARGUMENT for a name
    /// that is no school), or every open school under the issuer's competence on that date.
    /// </summary>
    public async Task<IReadOnlyList<ResolvedSchool>> ResolveAsync(string issuer, V1.Targets targets, DateOnly date)
    {
        if (targets.AllSchoolsUnderCompetence)
        {
            return (await parties.SchoolsUnderCompetenceAsync(issuer, date, date))
                .Select(s => new ResolvedSchool(s, new TargetSchool(s.Name, Label(s), "targets.allSchoolsUnderCompetence", issuer)))
                .ToList();
        }

        var resolved = new List<ResolvedSchool>();
        var violations = new List<FieldViolation>();
        for (var i = 0; i < targets.Schools.Count; i++)
        {
            var field = $"targets.schools[{i}]";
            var school = await parties.FindAsync(targets.Schools[i]);
            if (school is not { Kind: Party.Types.Kind.School })
            {
                violations.Add(new(field, $"« {targets.Schools[i]} » n'est pas un établissement connu."));
                continue;
            }

            var authority = await parties.CompetentAuthorityAsync(school.Name, date);
            resolved.Add(new ResolvedSchool(school, new TargetSchool(school.Name, Label(school), field, authority)));
        }

        return violations.Count > 0 ? throw new InvalidArgumentException(violations) : resolved;
    }

    /// <summary>The parties a message to these schools needs the approval of: each school's académie, the DRAAF for agricultural ones.</summary>
    public async Task<IReadOnlyList<string>> ReviewersOfAsync(IEnumerable<Party> schools)
    {
        var reviewers = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var school in schools)
        {
            if (school.Sector == Party.Types.Sector.Agricultural)
            {
                var draaf = (await parties.ListAsync("kind = AGRICULTURE_AUTHORITY")).FirstOrDefault()?.Name
                    ?? throw new FailedPreconditionException("REVIEWER_MISSING", school.Name, "Aucune DRAAF n'est connue pour valider un message à un établissement agricole.");
                reviewers.Add(draaf);
            }
            else if (school.Academy.Length > 0)
            {
                reviewers.Add(school.Academy);
            }
        }

        return [.. reviewers];
    }

    /// <summary>
    /// The parties whose rights <paramref name="issuer"/> holds on <paramref name="date"/>: itself, and those
    /// it succeeded (the CeA holds the Bas-Rhin's from 2021-01-01).
    /// </summary>
    public async Task<IReadOnlySet<string>> ActsForAsync(string issuer, IEnumerable<string> signatories, DateOnly date)
    {
        var actsFor = new HashSet<string>(StringComparer.Ordinal) { issuer };
        foreach (var signatory in signatories.Distinct())
        {
            if ((await parties.SuccessionAsync(signatory, date)).Holder == issuer)
            {
                actsFor.Add(signatory);
            }
        }

        return actsFor;
    }

    private static string Label(Party school) => $"{school.DisplayName} ({school.Uai})";
}
