namespace Ent.Partnership.Notifications.Domain;

/// <summary>The events a webhook may ask for, by the last segment of their type (SPEC sections 4–7, 10 and 12).</summary>
public static class EventTypes
{
    public const string Ping = "ent.partnership.notifications.v1.WebhookPing";

    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        // parties
        "PartyCreated", "PartyUpdated", "PartySucceeded", "SchoolsImported", "MembershipCreated", "MembershipUpdated",
        // conventions
        "ConventionCreated", "ConventionUpdated", "ConventionSubmitted", "ConventionReopened", "ConventionInForce", "ConventionAmended",
        "ConventionTerminated", "ConventionTerminationScheduled", "ConventionTerminationCancelled", "ConventionExpired",
        "DeliberationRecorded", "DeliberationUpdated", "SignatureRecorded", "AmendmentCreated", "AmendmentUpdated", "AmendmentSubmitted",
        "AmendmentApplied", "AmendmentAbandoned", "MeetingCreated", "MeetingUpdated", "MeetingHeld", "MeetingCancelled",
        "DecisionRecorded", "CharterValidated", "SignatureAwaited",
        // obligations
        "ObligationStatusChanged", "ObligationFulfilled", "ObligationAtRisk", "ObligationBreached", "ObligationWaived",
        "EvidenceRecorded", "TicketCreated", "TicketUpdated", "ObligationDueSoon",
        // communications
        "CommunicationCreated", "CommunicationUpdated", "CommunicationDeleted", "CommunicationStateChanged", "CommunicationReviewed",
        "DeliveryUpdated", "ElectionCreated", "ElectionUpdated", "ElectionDeleted", "ReviewAwaited",
        // notifications
        "WebhookPing",
    };

    /// <summary><c>ent.partnership.communications.v1.CommunicationStateChanged</c> → <c>CommunicationStateChanged</c>.</summary>
    public static string LastSegment(string type) => type[(type.LastIndexOf('.') + 1)..];
}
