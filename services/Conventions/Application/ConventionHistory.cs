using System.Text.Json;
using Ent.Partnership.Storage;

namespace Ent.Partnership.Conventions.Application;

/// <summary>The French sentence a convention's history gives each of the service's events.</summary>
public static class ConventionHistory
{
    public static string Summarize(HistoryRecord record, JsonElement data) => record.ShortType switch
    {
        "ConventionCreated" => $"Convention « {data.Text("convention.title")} » créée en brouillon.",
        "ConventionUpdated" => $"Convention modifiée : {record.ChangedFields()}.",
        "ConventionSubmitted" => "Convention soumise aux délibérations des parties.",
        "ConventionReopened" => $"Convention rouverte, délibérations et signatures à reprendre : {data.Text("reason")}.",
        "DeliberationRecorded" => $"Délibération de {data.Text("deliberation.party")} du {data.Text("deliberation.date")} enregistrée ({data.Text("deliberation.outcome")}).",
        "DeliberationUpdated" => $"Délibération de {data.Text("deliberation.party")} complétée : {record.ChangedFields()}.",
        "SignatureRecorded" => $"Signature de {data.Text("signature.party")} le {data.Text("signature.signedOn")} par {data.Text("signature.signatoryName")}.",
        "ConventionInForce" => $"Convention entrée en vigueur le {data.Text("convention.effectiveDate")}.",
        "ConventionExpired" => $"Convention arrivée à échéance le {data.Text("endDate")}.",
        "ConventionTerminated" => $"Convention résiliée au {data.Text("effectiveDate")} : {data.Text("reason")}.",
        "ConventionTerminationScheduled" => $"Résiliation prévue au {data.Text("convention.termination.effectiveDate")} : {data.Text("convention.termination.reason")}.",
        "ConventionTerminationCancelled" => $"Résiliation annulée : {data.Text("reason")}.",
        "ConventionAmended" => $"Avenant {data.Text("amendment")} appliqué : la convention passe à la révision {data.Text("convention.revision")}.",
        "CharterValidated" => $"Charte d'usage de l'annexe {data.Text("annexId")} validée le {data.Text("validatedOn")}.",
        "AmendmentCreated" => $"Avenant « {data.Text("amendment.title")} » proposé.",
        "AmendmentUpdated" when record.Changes is [{ Field: "state" } move] => $"Avenant passé de l'état {move.Before} à l'état {move.After}.",
        "AmendmentUpdated" => $"Avenant modifié : {record.ChangedFields()}.",
        "AmendmentSubmitted" => "Avenant soumis aux délibérations des parties.",
        "AmendmentApplied" => $"Avenant appliqué à la convention le {data.Text("amendment.effectiveDate")}.",
        "AmendmentAbandoned" => $"Avenant abandonné : {data.Text("reason")}.",
        "MeetingCreated" => $"Réunion convoquée pour le {data.Text("meeting.scheduledAt")}.",
        "MeetingUpdated" => $"Réunion déplacée : {record.ChangedFields()}.",
        "MeetingHeld" => "Réunion tenue, le quorum atteint.",
        "MeetingCancelled" => $"Réunion annulée : {data.Text("meeting.cancellationReason")}.",
        "DecisionRecorded" => $"Décision « {data.Text("decision.subject")} » : {data.Text("decision.outcome")}.",
        _ => $"Événement {record.ShortType}.",
    };
}
