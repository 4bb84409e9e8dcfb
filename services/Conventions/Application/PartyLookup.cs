using Ent.Partnership.Conventions.V1;
using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;
using Grpc.Core;
using static Ent.Partnership.Parties.V1.Party.Types;

namespace Ent.Partnership.Conventions.Application;

/// <summary>The parties service as the conventions service needs it: who exists, of what kind, who succeeded whom.</summary>
public sealed class PartyLookup(Parties.V1.Parties.PartiesClient parties)
{
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
    /// Each signatory's successor, following successions (Bas-Rhin → CeA), and the successor's first day
    /// (the day after the predecessor's <c>validTo</c>).
    /// </summary>
    public async Task<(IReadOnlyDictionary<string, string> Successors, IReadOnlyDictionary<string, DateOnly> From)> SuccessionsAsync(IEnumerable<string> names)
    {
        var successors = new Dictionary<string, string>(StringComparer.Ordinal);
        var from = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
        var pending = new Queue<string>(names.Distinct());
        while (pending.TryDequeue(out var name))
        {
            if (successors.ContainsKey(name) || await FindAsync(name) is not { Successor.Length: > 0 } party)
            {
                continue;
            }

            successors[name] = party.Successor;
            if (CivilDate.TryParse(party.ValidTo, out var lastDay))
            {
                from[name] = lastDay.AddDays(1);
            }

            pending.Enqueue(party.Successor);
        }

        return (successors, from);
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
