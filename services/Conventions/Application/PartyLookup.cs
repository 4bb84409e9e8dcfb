using Ent.Partnership.Conventions.V1;
using Ent.Partnership.Parties.Client;
using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;
using static Ent.Partnership.Parties.V1.Party.Types;

namespace Ent.Partnership.Conventions.Application;

/// <summary>
/// The parties service as the conventions service needs it (<see cref="PartiesDirectory"/>): who exists, of
/// what kind, who succeeded whom.
/// </summary>
public sealed class PartyLookup(PartiesDirectory parties, TimeProvider time)
{
    public Task<Party?> FindAsync(string name) => parties.FindAsync(name);

    /// <summary>Each signatory's successions (Bas-Rhin → CeA from 2021-01-01), by signatory.</summary>
    public async Task<IReadOnlyDictionary<string, Succession>> SuccessionsAsync(IEnumerable<string> names)
    {
        var successions = new Dictionary<string, Succession>(StringComparer.Ordinal);
        foreach (var name in names.Distinct())
        {
            successions[name] = await parties.SuccessionAsync(name, CivilDate.Today(time));
        }

        return successions;
    }

    /// <summary>Refuses signatories that do not exist or whose kind does not fit their role.</summary>
    public async Task CheckSignatoriesAsync(Convention convention)
    {
        var violations = new List<FieldViolation>();
        for (var i = 0; i < convention.Signatories.Count; i++)
        {
            var signatory = convention.Signatories[i];
            var party = await FindAsync(signatory.Party);
            if (party is null)
            {
                violations.Add(new FieldViolation($"signatories[{i}].party", $"La partie {signatory.Party} n'existe pas."));
            }
            else if (!KindsFor(signatory.Role).Contains(party.Kind))
            {
                violations.Add(new FieldViolation($"signatories[{i}].role",
                    $"{party.DisplayName} ({party.Kind}) ne peut pas signer comme {signatory.Role}."));
            }
        }

        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }
    }

    private static Kind[] KindsFor(Signatory.Types.Role role) => role switch
    {
        Signatory.Types.Role.AcademicAuthority => [Kind.Academy, Kind.AcademicRegion, Kind.AgricultureAuthority],
        Signatory.Types.Role.Collectivity => [Kind.Region, Kind.Department, Kind.SpecialCollectivity],
        Signatory.Types.Role.Coordinator => [Kind.Region, Kind.Department, Kind.SpecialCollectivity, Kind.PurchasingGroup],
        Signatory.Types.Role.Provider => [Kind.EntProvider],
        _ => [],
    };
}
