using System.Diagnostics;
using System.Net.Mime;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Google.Protobuf;

namespace Ent.Partnership.Redis;

/// <summary>An event to append to the producing service's stream, as a CloudEvents 1.0 JSON document.</summary>
public sealed record OutgoingEvent(string Id, string Type, string Source, string Subject, DateTimeOffset Time, string DataJson, string? TraceParent)
{
    private static readonly JsonFormatter DataFormatter = new(JsonFormatter.Settings.Default);

    /// <summary>
    /// An event whose type is the full name of its proto message (<c>ent.partnership.parties.v1.PartyCreated</c>)
    /// and whose data is that message in proto JSON; it carries the current trace so consumers continue it.
    /// </summary>
    public static OutgoingEvent From(IMessage data, string source, string subject, TimeProvider time) => new(
        Guid.CreateVersion7().ToString(),
        data.Descriptor.FullName,
        source,
        subject,
        time.GetUtcNow(),
        DataFormatter.Format(data),
        Activity.Current?.Id);

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

    internal static readonly JsonEventFormatter Formatter = new();

    public static CloudEvent Parse(string json) =>
        Formatter.DecodeStructuredModeMessage(Encoding.UTF8.GetBytes(json), new ContentType("application/cloudevents+json"), [TraceParent]);
}
