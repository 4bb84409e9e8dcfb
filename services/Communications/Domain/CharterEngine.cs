using System.Text.RegularExpressions;

namespace Ent.Partnership.Communications.Domain;

/// <summary>How serious a finding is.</summary>
public enum Severity
{
    /// <summary>Refuses the message.</summary>
    Block,

    /// <summary>Must be acknowledged by the reviewer.</summary>
    Warn,

    /// <summary>For information.</summary>
    Info,
}

/// <summary>What a charter term is about.</summary>
public enum TermCategory
{
    Commercial,
    Political,
    Religious,

    /// <summary>Counts only inside an electoral reserve window.</summary>
    Promotional,
}

/// <summary>One finding of a check, explained: the rule, the field, the text quoted with its context, what to do.</summary>
public sealed record CharterFinding(string RuleId, Severity Severity, string Field, string Excerpt, string Message, string Suggestion);

/// <summary>A word or phrase of the charter.</summary>
public sealed record CharterTerm(string Text, TermCategory Category, Severity Severity);

/// <summary>The parameters of a validated usage charter (audiences and categories by their API names).</summary>
public sealed record Charter(
    IReadOnlySet<string> AllowedAudiences,
    IReadOnlySet<string> AllowedCategories,
    int MaxTitleLength,
    int MaxBodyLength,
    int MaxValidityDays,
    IReadOnlyList<string> AllowedLinkDomains,
    IReadOnlyList<string> AllowedContacts,
    IReadOnlyList<CharterTerm> Terms,
    IReadOnlyList<string> AllowedPhrases,
    bool RequireAltText,
    IReadOnlySet<string> UrgentCategories)
{
    /// <summary>How many of one issuer's messages a school may get in 30 days.</summary>
    public int MaxMessagesPerSchoolPer30Days { get; init; } = int.MaxValue;

    /// <summary>What a message inside an electoral reserve window gets.</summary>
    public Severity ElectoralReserve { get; init; } = Severity.Warn;
}

/// <summary>An attachment as the message declares it.</summary>
public sealed record Attachment(string Uri, string Title, string MediaType, string AltText, long SizeBytes);

/// <summary>The message to check.</summary>
public sealed record MessageDraft(
    string Title,
    string Body,
    string Category,
    IReadOnlyList<string> Audiences,
    bool Urgent,
    DateTimeOffset PublishTime,
    DateTimeOffset? ExpireTime,
    IReadOnlyList<Attachment> Attachments);

/// <summary>
/// The usage charter's rules that depend on the message and the charter alone (SPEC section 7): audience,
/// category, length, validity, commercial, political and religious terms, personal data, links and
/// accessibility. Plain functions; the rules that need the parties, the elections or the other messages
/// come with the service.
/// </summary>
public static partial class CharterEngine
{
    public const long MaxAttachmentBytes = 10 * 1024 * 1024;

    public static IReadOnlyList<CharterFinding> Check(MessageDraft draft, Charter charter)
    {
        var findings = new List<CharterFinding>();
        foreach (var audience in draft.Audiences.Where(a => !charter.AllowedAudiences.Contains(a)))
        {
            findings.Add(new("CH-AUDIENCE", Severity.Block, "audiences", audience,
                $"La charte ne permet pas de s'adresser au public {audience}.", "Retirez ce public du message."));
        }

        if (!charter.AllowedCategories.Contains(draft.Category))
        {
            findings.Add(new("CH-CATEGORY", Severity.Block, "category", draft.Category,
                $"La catégorie {draft.Category} n'est pas permise par la charte.", "Choisissez une catégorie de la charte."));
        }
        else if (draft.Urgent && !charter.UrgentCategories.Contains(draft.Category))
        {
            findings.Add(new("CH-CATEGORY", Severity.Block, "urgent", draft.Category,
                $"Un message de catégorie {draft.Category} ne peut pas être urgent.", "Retirez l'urgence ou choisissez une catégorie urgente."));
        }

        CheckLength(findings, "title", draft.Title, charter.MaxTitleLength);
        CheckLength(findings, "body", draft.Body, charter.MaxBodyLength);
        CheckValidity(findings, draft, charter);
        foreach (var (field, text) in new[] { ("title", draft.Title), ("body", draft.Body) })
        {
            var matcher = new TextMatcher(text);
            CheckTerms(findings, field, matcher, charter);
            CheckPersonalData(findings, field, matcher, charter);
            CheckLinks(findings, field, matcher, charter);
        }

        for (var i = 0; i < draft.Attachments.Count; i++)
        {
            var attachment = draft.Attachments[i];
            if (charter.RequireAltText && attachment.MediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase) && string.IsNullOrWhiteSpace(attachment.AltText))
            {
                findings.Add(new("CH-ACCESSIBILITY", Severity.Block, $"attachments[{i}].altText", attachment.Title,
                    "Une image doit avoir une alternative textuelle (RGAA).", "Décrivez l'image en une phrase."));
            }

            if (attachment.SizeBytes > MaxAttachmentBytes)
            {
                findings.Add(new("CH-ACCESSIBILITY", Severity.Block, $"attachments[{i}].sizeBytes", attachment.Title,
                    "Une pièce jointe ne dépasse pas 10 Mio.", "Allégez le fichier ou donnez un lien."));
            }
        }

        return findings;
    }

    private static void CheckLength(List<CharterFinding> findings, string field, string text, int max)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            findings.Add(new("CH-LENGTH", Severity.Block, field, "", "Ce champ est vide.", "Rédigez-le."));
        }
        else if (text.Length > max)
        {
            findings.Add(new("CH-LENGTH", Severity.Block, field, text[..Math.Min(text.Length, 80)],
                $"{text.Length} caractères pour {max} au plus.", "Raccourcissez le texte."));
        }
    }

    private static void CheckValidity(List<CharterFinding> findings, MessageDraft draft, Charter charter)
    {
        var message = draft.ExpireTime switch
        {
            null => "Un message a une date d'expiration.",
            var expire when expire <= draft.PublishTime => "L'expiration précède la publication.",
            var expire when expire - draft.PublishTime > TimeSpan.FromDays(charter.MaxValidityDays) => $"Un message reste publié {charter.MaxValidityDays} jours au plus.",
            _ => null,
        };
        if (message is not null)
        {
            findings.Add(new("CH-VALIDITY", Severity.Block, "expireTime", draft.ExpireTime?.ToString("O") ?? "", message, "Fixez une expiration dans la durée de la charte."));
        }
    }

    /// <summary>
    /// The charter's terms found in a field. Terms matched on the same words give one finding, the strongest
    /// (« Votez pour nous » is a BLOCK for « Votez pour », not also a WARN for « Votez »): BLOCK before WARN,
    /// then the longer match.
    /// </summary>
    private static void CheckTerms(List<CharterFinding> findings, string field, TextMatcher matcher, Charter charter)
    {
        var text = matcher.Text;
        var allowed = charter.AllowedPhrases.SelectMany(matcher.Find).ToList();
        var terms = charter.Terms.Where(t => t.Category != TermCategory.Promotional).ToList();
        var matches = terms.SelectMany(term => Matches(matcher, term, allowed).Select(m => (Term: term, m.Start, m.End))).ToList();
        var kept = new List<(CharterTerm Term, int Start, int End)>();
        foreach (var match in matches.OrderBy(m => m.Term.Severity == Severity.Block ? 0 : 1).ThenByDescending(m => m.End - m.Start).ThenBy(m => m.Start))
        {
            if (!kept.Any(k => k.Start < match.End && match.Start < k.End))
            {
                kept.Add(match);
            }
        }

        foreach (var term in terms)
        {
            foreach (var (_, start, end) in kept.Where(k => ReferenceEquals(k.Term, term)).OrderBy(k => k.Start))
            {
                var (ruleId, nature) = term.Category switch
                {
                    TermCategory.Commercial => ("CH-COMMERCIAL", "commercial"),
                    TermCategory.Political => ("CH-POLITICAL", "politique"),
                    _ => ("CH-RELIGIOUS", "religieux"),
                };
                findings.Add(new(ruleId, term.Severity, field, matcher.Excerpt(start, end),
                    $"« {text[start..end]} » relève d'un contenu {nature}, que la neutralité du service public exclut.",
                    "Reformulez sans ce terme."));
            }
        }
    }

    /// <summary>The whole-word matches of a term outside every allowed phrase.</summary>
    internal static IEnumerable<(int Start, int End)> Matches(TextMatcher matcher, CharterTerm term, IReadOnlyList<(int Start, int End)> allowed) =>
        matcher.Find(term.Text).Where(m => !allowed.Any(a => a.Start <= m.Start && m.End <= a.End));

    private static void CheckPersonalData(List<CharterFinding> findings, string field, TextMatcher matcher, Charter charter)
    {
        var text = matcher.Text;
        var allowed = charter.AllowedContacts.Select(Canonical).ToHashSet(StringComparer.Ordinal);
        foreach (Match match in Email().Matches(text).Concat(Phone().Matches(text)))
        {
            if (!allowed.Contains(Canonical(match.Value)))
            {
                findings.Add(new("CH-PERSONAL-DATA", Severity.Warn, field, matcher.Excerpt(match.Index, match.Index + match.Length),
                    $"« {match.Value} » ressemble à une donnée personnelle.", "N'indiquez que les contacts de service de la collectivité."));
            }
        }
    }

    private static void CheckLinks(List<CharterFinding> findings, string field, TextMatcher matcher, Charter charter)
    {
        var text = matcher.Text;
        foreach (Match match in Link().Matches(text))
        {
            var url = match.Value.TrimEnd('.', ',', ';', ':', ')', '!', '?');
            var secure = url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
            var host = Uri.TryCreate(secure || url.Contains("://", StringComparison.Ordinal) ? url : "https://" + url, UriKind.Absolute, out var uri) ? uri.Host.ToLowerInvariant() : "";
            var allowedHost = charter.AllowedLinkDomains.Any(d => host == d.ToLowerInvariant() || host.EndsWith("." + d.ToLowerInvariant(), StringComparison.Ordinal));
            if (!secure || !allowedHost)
            {
                findings.Add(new("CH-LINKS", Severity.Block, field, matcher.Excerpt(match.Index, match.Index + url.Length),
                    secure ? $"Le domaine {host} n'est pas permis par la charte." : $"Le lien « {url} » n'est pas en https.",
                    "Liez vers un site https d'un domaine de la charte."));
            }
        }
    }

    /// <summary>Addresses compare in lower case; numbers by their digits, +33 read as 0.</summary>
    private static string Canonical(string contact)
    {
        if (contact.Contains('@'))
        {
            return contact.Trim().ToLowerInvariant();
        }

        var digits = new string(contact.Where(char.IsAsciiDigit).ToArray());
        return digits.Length == 11 && digits.StartsWith("33", StringComparison.Ordinal) ? "0" + digits[2..] : digits;
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")]
    private static partial Regex Email();

    [GeneratedRegex(@"(?<![\d])(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}(?![\d])")]
    private static partial Regex Phone();

    [GeneratedRegex(@"\b(?:https?://|www\.)[^\s<>""]+", RegexOptions.IgnoreCase)]
    private static partial Regex Link();
}
