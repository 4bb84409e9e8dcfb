namespace Ent.Partnership.Console;

/// <summary>
/// The names people read for the parties the API names (<c>parties/aca-nancy-metz</c> → « Rectorat de
/// Nancy-Metz »), read through the gateway as the person may read them, and kept for the person's visit.
/// </summary>
public sealed class PartyNames(GatewayClient gateway)
{
    private readonly Dictionary<string, string> _known = [];

    /// <summary>Reads the names not known yet; a party the person may not read keeps its resource name.</summary>
    public async Task LearnAsync(IEnumerable<string> parties)
    {
        foreach (var party in parties.Where(p => p.StartsWith("parties/", StringComparison.Ordinal)).Distinct().Except(_known.Keys).ToList())
        {
            var answer = await gateway.GetAsync($"/v1/parties/{Uri.EscapeDataString(party["parties/".Length..])}");
            _known[party] = answer.Ok && Json.Text(answer.Body!.Value, "displayName") is { Length: > 0 } name ? name : party;
        }
    }

    public string this[string party] => _known.GetValueOrDefault(party, party);
}
