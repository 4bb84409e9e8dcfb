using System.Text.Json;

namespace Ent.Partnership.Console;

/// <summary>A message as the person writes it in the editor, and the communication the API reads.</summary>
public sealed class MessageDraft
{
    /// <summary>How long the person stops typing before the draft is checked.</summary>
    public static readonly TimeSpan TypingPause = TimeSpan.FromMilliseconds(400);

    public static readonly (string Value, string Label)[] Categories =
    [
        ("TRANSPORT", "Transports scolaires"), ("CATERING", "Restauration"), ("GRANTS", "Aides et bourses"),
        ("EQUIPMENT", "Équipement"), ("WORKS", "Travaux"), ("SAFETY", "Sécurité"), ("EVENT", "Événement"), ("OTHER", "Autre"),
    ];

    public static readonly (string Value, string Label)[] AudienceLabels = [("PUPILS", "Élèves"), ("PARENTS", "Parents"), ("STAFF", "Personnels")];

    public string Title { get; set; } = "";

    public string Category { get; set; } = "TRANSPORT";

    public HashSet<string> Audiences { get; } = ["PARENTS"];

    public bool AllSchools { get; set; }

    public string Schools { get; set; } = "";

    /// <summary>The day publication starts; none: as soon as the message is approved.</summary>
    public DateOnly? PublishOn { get; set; }

    public DateOnly ExpireOn { get; set; } = DateOnly.FromDateTime(DateTime.Today.AddDays(30));

    public string Body { get; set; } = "";

    /// <summary>The communication of the API (JSON names as partners send them).</summary>
    public object ToCommunication() => new
    {
        title = Title,
        body = Body,
        category = Category,
        audiences = Audiences.ToArray(),
        targets = AllSchools
            ? (object)new { allSchoolsUnderCompetence = true }
            : new { schools = Schools.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => "parties/uai-" + u.ToLowerInvariant()).ToArray() },
        publishTime = PublishOn?.ToDateTime(new TimeOnly(6, 0), DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ"),
        expireTime = ExpireOn.ToDateTime(new TimeOnly(23, 0), DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ"),
    };
}

/// <summary>A finding of the charter's check, as the verdict gives it.</summary>
public sealed record CharterFinding(string RuleId, string Severity, string Field, string Excerpt, string Message, string Suggestion)
{
    public static List<CharterFinding> ListFrom(JsonElement verdict) =>
        Json.Items(verdict, "findings").Select(f => new CharterFinding(
            Json.Text(f, "ruleId"), Json.Text(f, "severity"), Json.Text(f, "field"), Json.Text(f, "excerpt"), Json.Text(f, "message"), Json.Text(f, "suggestion"))).ToList();

    /// <summary>The rules of the warnings among the findings: what a reviewer acknowledges to approve.</summary>
    public static List<string> WarningRules(IEnumerable<CharterFinding> findings) =>
        findings.Where(f => f.Severity == "WARN").Select(f => f.RuleId).Distinct().ToList();
}
