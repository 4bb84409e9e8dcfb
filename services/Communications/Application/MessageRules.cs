using Ent.Partnership.Communications.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;
using Google.Protobuf.WellKnownTypes;

namespace Ent.Partnership.Communications.Application;

/// <summary>
/// What a message must be to be stored at all; what the charter thinks of it is the check's business
/// (an empty title is a finding, not an error).
/// </summary>
public static class MessageRules
{
    public const int MaxTitle = 1_000;
    public const int MaxBody = 100_000;
    public const int MaxSchools = 5_000;
    public const int MaxAttachments = 20;

    private static readonly DateTimeOffset Earliest = new(1990, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Latest = new(2100, 12, 31, 0, 0, 0, TimeSpan.Zero);

    public static void Validate(Communication message)
    {
        var violations = new List<FieldViolation>();
        if (ResourceName.IdOf(message.Issuer, "parties") is null)
        {
            violations.Add(new("issuer", $"« {message.Issuer} » n'est pas un nom de la forme parties/{{id}}."));
        }

        if (message.Convention.Length > 0 && ResourceName.IdOf(message.Convention, "conventions") is null)
        {
            violations.Add(new("convention", $"« {message.Convention} » n'est pas un nom de la forme conventions/{{id}}."));
        }

        if (message.Category == 0)
        {
            violations.Add(new("category", "La catégorie est obligatoire."));
        }

        if (message.Audiences.Count == 0 || message.Audiences.Contains(0) || message.Audiences.Distinct().Count() != message.Audiences.Count)
        {
            violations.Add(new("audiences", "Au moins un public, chacun une fois."));
        }

        CheckTargets(message.Targets, violations);
        if (message.Title.Length > MaxTitle)
        {
            violations.Add(new("title", $"{MaxTitle} caractères au plus."));
        }

        if (message.Body.Length > MaxBody)
        {
            violations.Add(new("body", $"{MaxBody} caractères au plus."));
        }

        CheckTime(message.PublishTime, "publishTime", violations);
        CheckTime(message.ExpireTime, "expireTime", violations);
        if (message.Attachments.Count > MaxAttachments)
        {
            violations.Add(new("attachments", $"{MaxAttachments} pièces jointes au plus."));
        }

        for (var i = 0; i < Math.Min(message.Attachments.Count, MaxAttachments); i++)
        {
            var attachment = message.Attachments[i];
            if (!Uri.TryCreate(attachment.Uri, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            {
                violations.Add(new($"attachments[{i}].uri", "Une adresse https absolue est attendue."));
            }

            if (attachment.SizeBytes < 0)
            {
                violations.Add(new($"attachments[{i}].sizeBytes", "Une taille ne peut pas être négative."));
            }
        }

        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }
    }

    private static void CheckTargets(Targets? targets, List<FieldViolation> violations)
    {
        if (targets is null || (targets.Schools.Count > 0) == targets.AllSchoolsUnderCompetence)
        {
            violations.Add(new("targets", "Indiquez soit des établissements (schools), soit allSchoolsUnderCompetence, l'un des deux exactement."));
            return;
        }

        if (targets.Schools.Count > MaxSchools)
        {
            violations.Add(new("targets.schools", $"{MaxSchools} établissements au plus."));
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < targets.Schools.Count; i++)
        {
            if (ResourceName.IdOf(targets.Schools[i], "parties") is null)
            {
                violations.Add(new($"targets.schools[{i}]", $"« {targets.Schools[i]} » n'est pas un nom de la forme parties/{{id}}."));
            }
            else if (!seen.Add(targets.Schools[i]))
            {
                violations.Add(new($"targets.schools[{i}]", $"{targets.Schools[i]} est cité deux fois."));
            }
        }
    }

    private static void CheckTime(Timestamp? timestamp, string field, List<FieldViolation> violations)
    {
        if (timestamp is null)
        {
            return;
        }

        if (timestamp.Nanos is < 0 or > 999_999_999 || timestamp.Seconds < Earliest.ToUnixTimeSeconds() || timestamp.Seconds > Latest.ToUnixTimeSeconds())
        {
            violations.Add(new(field, "Un instant entre 1990 et 2100 est attendu."));
        }
    }
}
