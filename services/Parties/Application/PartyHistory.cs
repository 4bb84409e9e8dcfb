using System.Text.Json;
using Ent.Partnership.Storage;

namespace Ent.Partnership.Parties.Application;

/// <summary>The French sentence a party's history gives each of the service's events.</summary>
public static class PartyHistory
{
    public static string Summarize(HistoryRecord record, JsonElement data) => record.ShortType switch
    {
        "PartyCreated" => $"Partie « {data.Text("party.displayName")} » enregistrée.",
        "PartyUpdated" => $"Partie modifiée : {record.ChangedFields()}.",
        "PartySucceeded" => $"Partie remplacée par {data.Text("successor")} à compter du {data.Text("effectiveDate")}.",
        "MembershipCreated" => $"{data.Text("membership.member")} devient membre du groupement.",
        "MembershipUpdated" => $"Adhésion de {data.Text("membership.member")} modifiée : {record.ChangedFields()}.",
        _ => $"Événement {record.ShortType}.",
    };
}
