using System.Diagnostics;
using System.Net.Mime;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Identity;
using Google.Protobuf;

namespace Ent.Partnership.Storage;

/// <summary>An event to append to the producing service's stream, as a CloudEvents 1.0 JSON document.</summary>
public sealed record OutgoingEvent(string Id, string Type, string Source, string Subject, DateTimeOffset Time, string DataJson, string? TraceParent)
{
    private static readonly JsonFormatter DataFormatter = new(JsonFormatter.Settings.Default);

    /// <summary>Who made the change: the caller, or the service itself (a clock, a handler).</summary>
    public required Actor Actor { get; init; }

    /// <summary>The event being handled when this one was made, if any.</summary>
    public string? CausationId { get; init; }

    /// <summary>The actor of that event: the one a history shows.</summary>
    public Actor? Origin { get; init; }

    /// <summary>Who may read the subject right after the change.</summary>
    public required Readers Readers { get; init; }

    /// <summary>For an update, the fields it changed (kept in the history, not in the event).</summary>
    public IReadOnlyList<FieldChange> Changes { get; init; } = [];

    /// <summary>
    /// An event whose type is the full name of its proto message (<c>ent.partnership.parties.v1.PartyCreated</c>)
    /// and whose data is that message in proto JSON; it carries the current trace so consumers continue it, and
    /// the actor of <see cref="Acting.Current"/> (the service itself, named by the source's last segment, when
    /// no one is).
    /// </summary>
    public static OutgoingEvent From(IMessage data, string source, string subject, TimeProvider time, Readers readers, IReadOnlyList<FieldChange>? changes = null)
    {
        var acting = Acting.Current;
        return new OutgoingEvent(
            Guid.CreateVersion7().ToString(),
            data.Descriptor.FullName,
            source,
            subject,
            time.GetUtcNow(),
            DataFormatter.Format(data),
            Activity.Current?.Id)
        {
            Actor = acting?.Actor ?? Actor.Service(source[(source.LastIndexOf('/') + 1)..]),
            CausationId = acting?.CausationId,
            Origin = acting?.Origin,
            Readers = readers,
            Changes = changes ?? [],
        };
    }

    public string ToJson()
    {
        using var data = JsonDocument.Parse(DataJson);
        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = Id,
            Type = Type,
            Source = new Uri(Source, UriKind.RelativeOrAbsolute),
            Subject = Subject,
            Time = Time,
            DataContentType = MediaTypeNames.Application.Json,
            Data = data.RootElement.Clone(),
        };
        if (TraceParent is not null)
        {
            cloudEvent[EventFormat.TraceParent] = TraceParent;
        }

        if (Actor.Party is not null)
        {
            cloudEvent[EventFormat.ActorParty] = Actor.Party;
        }

        cloudEvent[EventFormat.ActorSubject] = Actor.Subject;
        if (CausationId is not null)
        {
            cloudEvent[EventFormat.CausationId] = CausationId;
        }

        cloudEvent[EventFormat.Readers] = Readers.ToString();

        return Encoding.UTF8.GetString(EventFormat.Formatter.EncodeStructuredModeMessage(cloudEvent, out _).Span);
    }
}

/// <summary>An event read from a stream.</summary>
public sealed record ReceivedEvent(string StreamId, CloudEvent CloudEvent)
{
    public string Id => CloudEvent.Id!;

    public string Type => CloudEvent.Type!;

    public string? Subject => CloudEvent.Subject;

    public string? TraceParent => (string?)CloudEvent[EventFormat.TraceParent];

    /// <summary>Who made the change, when the event says (events written before actors existed do not).</summary>
    public Actor? Actor => CloudEvent[EventFormat.ActorSubject] is string subject
        ? new Actor((string?)CloudEvent[EventFormat.ActorParty], subject)
        : null;

    /// <summary>The event as CloudEvents JSON (structured mode), its extensions included.</summary>
    public string ToJson() => Encoding.UTF8.GetString(EventFormat.Formatter.EncodeStructuredModeMessage(CloudEvent, out _).Span);

    /// <summary>Who may read the event's subject, as the event says.</summary>
    public Readers Readers => Readers.Parse((string?)CloudEvent[EventFormat.Readers]);

    /// <summary>Acts as this service handling the event until disposed: what it writes names the event as its cause.</summary>
    public IDisposable Handling() => Acting.Begin(new Acting(null, Id, Actor));

    /// <summary>The data as the proto message it was written from.</summary>
    public T DataAs<T>(MessageParser<T> parser) where T : IMessage<T> =>
        parser.ParseJson(((JsonElement)CloudEvent.Data!).GetRawText());

    /// <summary>The span of a consumer handling this event, continuing the trace of the write that caused it.</summary>
    public Activity? StartHandling(ActivitySource source, string system, string destination, string group)
    {
        ActivityContext.TryParse(TraceParent, null, out var parent);
        var activity = source.StartActivity($"handle {Type}", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", system);
        activity?.SetTag("messaging.destination.name", destination);
        activity?.SetTag("messaging.consumer.group.name", group);
        activity?.SetTag("messaging.message.id", Id);
        return activity;
    }
}

public static class EventFormat
{
    /// <summary>The W3C trace context of the write that caused the event (CloudEvents distributed tracing extension).</summary>
    public static readonly CloudEventAttribute TraceParent = CloudEventAttribute.CreateExtension("traceparent", CloudEventAttributeType.String);

    /// <summary>The party of the caller who made the change (SPEC section 10); absent when it has none.</summary>
    public static readonly CloudEventAttribute ActorParty = CloudEventAttribute.CreateExtension("actorparty", CloudEventAttributeType.String);

    /// <summary><c>key:&lt;id&gt;</c>, <c>person:&lt;subject&gt;</c> or <c>service:&lt;name&gt;</c>.</summary>
    public static readonly CloudEventAttribute ActorSubject = CloudEventAttribute.CreateExtension("actorsubject", CloudEventAttributeType.String);

    /// <summary>The id of the event whose handling made this one.</summary>
    public static readonly CloudEventAttribute CausationId = CloudEventAttribute.CreateExtension("causationid", CloudEventAttributeType.String);

    /// <summary>Who may read the subject right after the event: <c>all</c>, or <c>party:…</c> and <c>role:…</c> entries separated by spaces.</summary>
    public static readonly CloudEventAttribute Readers = CloudEventAttribute.CreateExtension("readers", CloudEventAttributeType.String);

    internal static readonly JsonEventFormatter Formatter = new();

    public static CloudEvent Parse(string json) =>
        Formatter.DecodeStructuredModeMessage(Encoding.UTF8.GetBytes(json), new ContentType("application/cloudevents+json"), [TraceParent, ActorParty, ActorSubject, CausationId, Readers]);
}
