using Ent.Partnership.Communications.Domain;
using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;
using Grpc.Core;

namespace Ent.Partnership.Communications.Application;

/// <summary>A target school with what the service needs of it: its party record and where the check found it.</summary>
public sealed record ResolvedSchool(Party Party, TargetSchool Target);

/// <summary>What the communications service asks the parties service: issuers, schools, competence, successions.</summary>
public sealed class PartyDirectory(Parties.V1.Parties.PartiesClient parties)
{
    /// <summary>A party, or null when the parties service does not know it.</summary>
    public async Task<Party?> FindAsync(string name)
    {
        try
        {
            return await parties.GetPartyAsync(new GetPartyRequest { Name = name });
        }
        catch (RpcException exception) when (exception.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            return null;
        }
    }

    /// <summary>
    /// The schools a message targets on <paramref name="date"/>: the named ones (INVALID_ARGUMENT for a name
    /// that is no school), or every open school under the issuer's competence on that date.
    /// </summary>
    public async Task<IReadOnlyList<ResolvedSchool>> ResolveAsync(string issuer, V1.Targets targets, DateOnly date)
    {
        if (targets.AllSchoolsUnderCompetence)
        {
            return (await AllSchoolsAsync())
                .Where(s => IsOpenOn(s, date) && AuthorityOn(s, date) == issuer)
                .Select(s => new ResolvedSchool(s, new TargetSchool(s.Name, Label(s), "targets.allSchoolsUnderCompetence", issuer)))
                .ToList();
        }

        var resolved = new List<ResolvedSchool>();
        var violations = new List<FieldViolation>();
        for (var i = 0; i < targets.Schools.Count; i++)
        {
            var field = $"targets.schools[{i}]";
            var school = await FindAsync(targets.Schools[i]);
            if (school is not { Kind: Party.Types.Kind.School })
            {
                violations.Add(new(field, $"« {targets.Schools[i]} » n'est pas un établissement connu."));
                continue;
            }

            resolved.Add(new ResolvedSchool(school, new TargetSchool(school.Name, Label(school), field, AuthorityOn(school, date))));
        }

        return violations.Count > 0 ? throw new InvalidArgumentException(violations) : resolved;
    }

    /// <summary>The parties a message to these schools needs the approval of: each school's académie, the DRAAF for agricultural ones.</summary>
    public async Task<IReadOnlyList<string>> ReviewersOfAsync(IEnumerable<Party> schools)
    {
        var reviewers = new SortedSet<string>(StringComparer.Ordinal);
        string? draaf = null;
        foreach (var school in schools)
        {
            if (school.Sector == Party.Types.Sector.Agricultural)
            {
                draaf ??= (await parties.ListPartiesAsync(new ListPartiesRequest { Filter = "kind = AGRICULTURE_AUTHORITY" })).Parties.FirstOrDefault()?.Name
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
            var current = signatory;
            for (var hops = 0; hops < 8 && current != issuer; hops++)
            {
                var party = await FindAsync(current);
                if (party is null || party.Successor.Length == 0 || !CivilDate.TryParse(party.ValidTo, out var lastDay) || date <= lastDay)
                {
                    break;
                }

                current = party.Successor;
            }

            if (current == issuer)
            {
                actsFor.Add(signatory);
            }
        }

        return actsFor;
    }

    private async Task<IReadOnlyList<Party>> AllSchoolsAsync()
    {
        var schools = new List<Party>();
        var request = new ListPartiesRequest { Filter = "kind = SCHOOL", PageSize = 500 };
        do
        {
            var page = await parties.ListPartiesAsync(request);
            schools.AddRange(page.Parties);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);
        return schools;
    }

    private static string Label(Party school) => $"{school.DisplayName} ({school.Uai})";

    private static bool IsOpenOn(Party party, DateOnly date) =>
        !(CivilDate.TryParse(party.ValidFrom, out var from) && date < from) && !(CivilDate.TryParse(party.ValidTo, out var to) && date > to);

    /// <summary>The collectivity competent for a school on a date, from its competence history.</summary>
    public static string? AuthorityOn(Party school, DateOnly date) =>
        school.CompetenceHistory.Count == 0
            ? NullIfEmpty(school.CompetentAuthority)
            : school.CompetenceHistory.LastOrDefault(p =>
                !(CivilDate.TryParse(p.From, out var from) && date < from) && !(CivilDate.TryParse(p.To, out var to) && date > to))?.Authority;

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;
}
