using Ent.Partnership.Communications.Domain;
using Ent.Partnership.Communications.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.Storage;
using Google.Protobuf;
using State = Ent.Partnership.Communications.V1.Communication.Types.State;

namespace Ent.Partnership.Communications.Application;

/// <summary>The service's events: each one read by whoever reads the message as it is after the change.</summary>
public static class CommunicationEvents
{
    public const string Source = "/ent-partnership/communications";

    /// <summary>The event of a message's change of state, as it is after the change.</summary>
    public static OutgoingEvent StateChanged(Communication message, State previous, TimeProvider time) =>
        Of(new CommunicationStateChanged { Communication = message, PreviousState = previous }, message.Name, message, time);

    /// <summary>An event about a message, or a delivery of it (<paramref name="subject"/>).</summary>
    public static OutgoingEvent Of(IMessage data, string subject, Communication message, TimeProvider time, IReadOnlyList<FieldChange>? changes = null) =>
        OutgoingEvent.From(data, Source, subject, time, MessageAccess.ReadersOf(message), changes);

    /// <summary>One event per review <paramref name="after"/> has that <paramref name="before"/> had not.</summary>
    public static IEnumerable<OutgoingEvent> Reviewed(Communication after, Communication before, TimeProvider time) =>
        after.Reviews.Skip(before.Reviews.Count).Select(review =>
            Of(new CommunicationReviewed { Communication = after, Review = review }, after.Name, after, time));
}
