using System.Text.Json;

namespace Ent.Partnership.Console;

/// <summary>A message as the console shows it, read from the API's JSON.</summary>
public sealed record MessageView(
    string Name, string Title, string Body, string State, string StateReason, string Issuer, string SubmitTime, string UpdateTime,
    IReadOnlyList<string> Schools, IReadOnlyList<string> Reviewers, IReadOnlyList<CharterFinding> Findings, IReadOnlyList<ReviewView> Reviews)
{
    /// <summary>The message's id, as the console's addresses carry it.</summary>
    public string Id => Name["communications/".Length..];

    public static MessageView From(JsonElement json) => new(
        Json.Text(json, "name"), Json.Text(json, "title"), Json.Text(json, "body"), Json.Text(json, "state"), Json.Text(json, "stateReason"), Json.Text(json, "issuer"), Json.Text(json, "submitTime"), Json.Text(json, "updateTime"),
        Json.Texts(json, "resolvedSchools"), Json.Texts(json, "reviewers"),
        json.TryGetProperty("verdict", out var verdict) ? CharterFinding.ListFrom(verdict) : [],
        Json.Items(json, "reviews").Select(r => new ReviewView(Json.Text(r, "reviewer"), Json.Text(r, "decision"), Json.Text(r, "comment"), Json.Text(r, "time"))).ToList());
}

/// <summary>A reviewer's decision on a message.</summary>
public sealed record ReviewView(string Reviewer, string Decision, string Comment, string Time);

/// <summary>A message's delivery to one school's ENT.</summary>
public sealed record DeliveryView(string School, string State, int Attempts, string LastError, string DeliveredAt)
{
    public static List<DeliveryView> ListFrom(JsonElement page) =>
        Json.Items(page, "deliveries").Select(d => new DeliveryView(
            Json.Text(d, "school"), Json.Text(d, "state"), d.TryGetProperty("attempts", out var n) ? n.GetInt32() : 0,
            Json.Text(d, "lastError"), Json.Text(d, "deliveredAt"))).ToList();
}

/// <summary>One line of a resource's history: when, who, what.</summary>
public sealed record HistoryLine(string Time, string Actor, string Summary)
{
    public static List<HistoryLine> ListFrom(JsonElement page) =>
        Json.Items(page, "entries").Select(e => new HistoryLine(
            Json.Text(e, "time"), e.TryGetProperty("actor", out var actor) ? Json.Text(actor, "subject") : "", Json.Text(e, "summary"))).ToList();
}

/// <summary>Reading the API's JSON, where fields left at their default are absent.</summary>
public static class Json
{
    public static string Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    public static List<string> Texts(JsonElement element, string property) => Items(element, property).Select(e => e.GetString() ?? "").ToList();

    public static IEnumerable<JsonElement> Items(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : [];
}
