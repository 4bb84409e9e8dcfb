using System.Text.Json;
using Ent.Partnership.Storage;

namespace Ent.Partnership.Obligations.Application;

/// <summary>The French sentence an obligation's or a ticket's history gives each of the service's events.</summary>
public static class ObligationHistory
{
    public static string Summarize(HistoryRecord record, JsonElement data) => record.ShortType switch
    {
        "ObligationStatusChanged" when data.Text("previousStatus") is "" or "STATUS_UNSPECIFIED" =>
            $"Obligation de {data.Text("obligation.obligor")} inscrite au registre ({data.Text("obligation.status")}).",
        "ObligationStatusChanged" => $"Statut {data.Text("previousStatus")} → {data.Text("obligation.status")} : {data.Text("obligation.statusReason")}",
        "ObligationFulfilled" => "Obligation remplie.",
        "ObligationAtRisk" => "Obligation en retard sur son objectif.",
        "ObligationBreached" => "Obligation manquée à la fin de sa période.",
        "ObligationWaived" => $"Obligation levée par la décision {data.Text("decision")}.",
        "EvidenceRecorded" => $"Justificatif enregistré par {data.Text("evidence.recordedBy")} : réalisé {data.Text("achieved")}.",
        "TicketCreated" => $"Ticket ouvert pour {data.Text("ticket.school")} : {data.Text("ticket.summary")}",
        "TicketUpdated" => $"Ticket {data.Text("ticket.state")} : {record.ChangedFields()}.",
        _ => $"Événement {record.ShortType}.",
    };
}
