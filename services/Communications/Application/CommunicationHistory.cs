using System.Text.Json;
using Ent.Partnership.Storage;

namespace Ent.Partnership.Communications.Application;

/// <summary>The French sentence a message's history gives each of the service's events.</summary>
public static class CommunicationHistory
{
    private static readonly Dictionary<string, string> States = new(StringComparer.Ordinal)
    {
        ["DRAFT"] = "en brouillon",
        ["PENDING_VALIDATION"] = "soumis à la validation de l'académie",
        ["CHANGES_REQUESTED"] = "renvoyé à son émetteur pour modifications",
        ["APPROVED"] = "approuvé",
        ["PUBLISHED"] = "publié sur les ENT",
        ["REJECTED"] = "refusé",
        ["WITHDRAWN"] = "retiré par son émetteur",
        ["EXPIRED"] = "expiré",
    };

    private static readonly Dictionary<string, string> Decisions = new(StringComparer.Ordinal)
    {
        ["APPROVED"] = "approuve le message",
        ["CHANGES_REQUESTED"] = "demande des modifications",
        ["REJECTED"] = "refuse le message",
    };

    public static string Summarize(HistoryRecord record, JsonElement data) => record.ShortType switch
    {
        "CommunicationCreated" => $"Message « {data.Text("communication.title")} » rédigé par {data.Text("communication.issuer")}.",
        "CommunicationUpdated" => $"Message modifié : {record.ChangedFields()}.",
        "CommunicationDeleted" => "Brouillon supprimé par son émetteur.",
        "CommunicationReviewed" => $"{data.Text("review.reviewer")} {Decisions.GetValueOrDefault(data.Text("review.decision"), data.Text("review.decision"))}"
            + (data.Text("review.comment") is { Length: > 0 } comment ? $" : {comment}." : "."),
        "CommunicationStateChanged" => $"Message {States.GetValueOrDefault(data.Text("communication.state"), data.Text("communication.state"))}"
            + (data.Text("communication.stateReason") is { Length: > 0 } reason ? $" : {reason}." : "."),
        "DeliveryUpdated" => $"Livraison à {data.Text("delivery.uai")} : {data.Text("delivery.state")}"
            + (data.Text("delivery.lastError") is { Length: > 0 } error ? $" ({error})." : "."),
        _ => $"Événement {record.ShortType}.",
    };
}
