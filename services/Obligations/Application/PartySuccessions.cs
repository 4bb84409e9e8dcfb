using Ent.Partnership.Obligations.Domain;
using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Grpc.Core;

namespace Ent.Partnership.Obligations.Application;

/// <summary>Who succeeded whom, from the parties service: the CeA owes the Bas-Rhin's part from 2021-01-01.</summary>
public sealed class PartySuccessions(Parties.V1.Parties.PartiesClient parties)
{
    public async Task<IReadOnlyDictionary<string, Succession>> OfAsync(IEnumerable<string> names)
    {
        var successions = new Dictionary<string, Succession>(StringComparer.Ordinal);
        var pending = new Queue<string>(names.Distinct());
        while (pending.TryDequeue(out var name))
        {
            Party party;
            try
            {
                party = await parties.GetPartyAsync(new GetPartyRequest { Name = name });
            }
            catch (RpcException exception) when (exception.StatusCode == StatusCode.NotFound)
            {
                continue;
            }

            if (party.Successor.Length > 0 && CivilDate.TryParse(party.ValidTo, out var lastDay) && !successions.ContainsKey(name))
            {
                successions[name] = new Succession(party.Successor, lastDay.AddDays(1));
                pending.Enqueue(party.Successor);
            }
        }

        return successions;
    }
}
