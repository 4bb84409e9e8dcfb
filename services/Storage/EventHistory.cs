using System.Globalization;
using System.Text.Json;
using Ent.Partnership.Common.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Identity;
using Google.Protobuf.WellKnownTypes;

namespace Ent.Partnership.Storage;

/// <summary>
/// The history of each resource: every event is kept as a document of the <c>history</c> collection, written
/// by the commit that publishes it (so in the same atomic step), indexed by its subject and by each resource
/// name its subject lies under. A page of a history is one walk of that index from the page token: it costs
/// what it reads, however long the history, and does not depend on the event stream (which may be trimmed).
/// </summary>
public static class EventHistory
{
    public const string Collection = "history";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Ids sort as the events were made: the time, then the event's place in its write, then its id.</summary>
    public static string IdOf(OutgoingEvent outgoing, int index) => IdOf(outgoing.Time, index, outgoing.Id);

    /// <summary>The history id of an event written before histories were kept: first of its write.</summary>
    public static string IdOf(ReceivedEvent received) => IdOf(received.CloudEvent.Time!.Value, 0, received.Id);

    private static string IdOf(DateTimeOffset time, int index, string eventId) =>
        string.Create(CultureInfo.InvariantCulture, $"{time.UtcTicks:D19}.{index:D3}.{eventId}");

    /// <summary>The subject and every resource name above it (<c>conventions/c</c> above <c>conventions/c/signatures/s</c>).</summary>
    public static IEnumerable<IndexTerm> Terms(string subject)
    {
        var segments = subject.Split('/');
        for (var length = 2; length <= segments.Length; length += 2)
        {
            yield return new IndexTerm("of", string.Join('/', segments[..length]));
        }
    }

    public static byte[] Serialize(OutgoingEvent outgoing) => JsonSerializer.SerializeToUtf8Bytes(new HistoryRecord(
        outgoing.Id,
        outgoing.Type,
        outgoing.Subject,
        outgoing.Time,
        outgoing.Actor,
        outgoing.CausationId,
        outgoing.Origin,
        outgoing.Readers.ToString(),
        outgoing.DataJson,
        outgoing.Changes), Json);

    /// <summary>An event written before actors and readers: no actor, the readers its service gives it.</summary>
    public static byte[] Serialize(ReceivedEvent received, Readers readers) => JsonSerializer.SerializeToUtf8Bytes(new HistoryRecord(
        received.Id,
        received.Type,
        received.Subject ?? "",
        received.CloudEvent.Time ?? DateTimeOffset.UnixEpoch,
        null,
        null,
        null,
        readers.ToString(),
        ((JsonElement)received.CloudEvent.Data!).GetRawText(),
        []), Json);

    /// <summary>
    /// A page of the history of <paramref name="name"/> (its own events and those under it), oldest first,
    /// keeping the entries <paramref name="keep"/> accepts; a page token is refused for another resource.
    /// </summary>
    public static async Task<(IReadOnlyList<HistoryRecord> Records, string NextPageToken)> ListAsync(
        IDocumentStore store, string name, Func<HistoryRecord, bool> keep, int pageSize, string pageToken)
    {
        var page = await store.ListAsync(Collection, [new IndexTerm("of", name)], document => keep(Read(document)),
            pageSize, pageToken.Length == 0 ? null : pageToken, "history|" + name);
        return (page.Documents.Select(Read).ToList(), page.NextPageToken);
    }

    /// <summary>
    /// The page of <c>GET /v1/{name}:history</c> the caller may read, each entry told by
    /// <paramref name="summarize"/>. When the caller may read no entry, the resource decides:
    /// <paramref name="requireReadable"/> is NOT_FOUND when the caller may not read it (or it never existed),
    /// and an empty history otherwise (a resource made before histories were kept).
    /// </summary>
    public static async Task<History> PageAsync(
        IDocumentStore store, Caller caller, string name, int pageSize, string pageToken,
        Func<HistoryRecord, JsonElement, string> summarize, Func<Task> requireReadable)
    {
        var (records, next) = await ListAsync(store, name, record => record.Admits(caller), Paging.PageSize(pageSize), pageToken);
        if (records.Count == 0 && pageToken.Length == 0)
        {
            await requireReadable();
        }

        var history = new History { NextPageToken = next };
        foreach (var record in records)
        {
            using var data = JsonDocument.Parse(record.DataJson);
            var entry = new HistoryEntry
            {
                EventId = record.Id,
                Time = Timestamp.FromDateTimeOffset(record.Time),
                Type = record.ShortType,
                Subject = record.Subject,
                Summary = summarize(record, data.RootElement),
                Revision = RevisionIn(data.RootElement),
            };
            if (record.ShownActor is { } actor)
            {
                entry.Actor = new HistoryActor { Party = actor.Party ?? "", Subject = actor.Subject };
            }

            entry.Changes.AddRange(record.Changes.Select(c => new HistoryChange { Field = c.Field, Before = c.Before ?? "", After = c.After ?? "" }));
            history.Entries.Add(entry);
        }

        return history;
    }

    /// <summary>The revision the event's data carries: its own, or that of the convention or message it holds.</summary>
    private static int RevisionIn(JsonElement data)
    {
        if (data.TryGetProperty("revision", out var own) && own.TryGetInt32(out var revision))
        {
            return revision;
        }

        foreach (var property in data.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Object && property.Value.TryGetProperty("revision", out var held)
                && (held.ValueKind == JsonValueKind.Number ? held.TryGetInt32(out revision) : int.TryParse(held.GetString(), out revision)))
            {
                return revision;
            }
        }

        return 0;
    }

    /// <summary>A string found at a path of the event's data (<c>deliberation.party</c>), or empty.</summary>
    public static string Text(this JsonElement data, string path)
    {
        var current = data;
        foreach (var segment in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current))
            {
                return "";
            }
        }

        return current.ValueKind switch
        {
            JsonValueKind.String => current.GetString()!,
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => current.GetRawText(),
            _ => "",
        };
    }

    /// <summary>The fields an update changed, for a summary: « titre, date de fin ».</summary>
    public static string ChangedFields(this HistoryRecord record) =>
        record.Changes.Count == 0 ? "aucun champ" : string.Join(", ", record.Changes.Select(c => c.Field));

    private static HistoryRecord Read(Document document) => JsonSerializer.Deserialize<HistoryRecord>(document.Data, Json)!;
}

/// <summary>One event as a history keeps it.</summary>
public sealed record HistoryRecord(
    string Id,
    string Type,
    string Subject,
    DateTimeOffset Time,
    Actor? Actor,
    string? CausationId,
    Actor? Origin,
    string Readers,
    string DataJson,
    IReadOnlyList<FieldChange> Changes)
{
    /// <summary>The last segment of the event's type (<c>ConventionInForce</c>).</summary>
    public string ShortType => Type[(Type.LastIndexOf('.') + 1)..];

    /// <summary>Who the history names: the original actor when the event was made while handling another.</summary>
    public Actor? ShownActor => Origin ?? Actor;

    public bool Admits(Caller caller) => ServiceDefaults.Identity.Readers.Parse(Readers).Admit(caller);
}
