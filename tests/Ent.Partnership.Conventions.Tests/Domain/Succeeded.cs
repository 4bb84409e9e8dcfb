using Ent.Partnership.Parties.V1;

namespace Ent.Partnership.Conventions.Tests.Domain;

/// <summary>The parties service's answers for parties that one successor took over, as the CeA the Bas-Rhin and the Haut-Rhin.</summary>
internal static class Succeeded
{
    public static IReadOnlyDictionary<string, Succession> By(string successor, string from, params string[] parties) =>
        parties.ToDictionary(party => party, party => new Succession
        {
            Party = party,
            Holder = party,
            Steps = { new SuccessionStep { Predecessor = party, Successor = successor, EffectiveDate = from } },
        });
}
