namespace Ent.Partnership.Communications.Domain;

/// <summary>
/// A school a message targets, as the parties service knows it on the publication date: its name, a label
/// for findings, the request field that named it (<c>targets.schools[2]</c>), and who was competent for it then.
/// </summary>
public sealed record TargetSchool(string Name, string Label, string Field, string? CompetentAuthority);

/// <summary>One of the issuer's messages that already counts for frequency.</summary>
public sealed record CountedMessage(string Name, DateTimeOffset PublishTime, IReadOnlyList<string> Schools);

/// <summary>An election concerning the issuer, with its reserve window.</summary>
public sealed record ElectionWindow(string Name, string Label, DateOnly Start, DateOnly End)
{
    /// <summary>
    /// Code électoral L52-1: from the first day of the sixth month before the month of the first round
    /// to the last round.
    /// </summary>
    public static (DateOnly Start, DateOnly End) Of(DateOnly firstRound, DateOnly? secondRound) =>
        (new DateOnly(firstRound.Year, firstRound.Month, 1).AddMonths(-6), secondRound ?? firstRound);
}

/// <summary>
/// The charter's rules that need more than the message: the issuer's competence over the schools, the
/// issuer's other messages, the elections. The service fetches those; these functions only judge.
/// </summary>
public static class ContextRules
{
    public const string ElectoralReserve = "CH-ELECTORAL-RESERVE";

    /// <summary>
    /// Whether an urgent message may go out before its review: when it has no finding, or only the electoral
    /// reserve's warning on its dates (a promotional term in the window is a BLOCK, refused before). Safety
    /// and transport notices are informative by nature, and a presidential reserve lasts seven months: it
    /// must not hold them back (see docs/decisions.md).
    /// </summary>
    public static bool NothingToReviewFirst(IEnumerable<string> findingRuleIds) => findingRuleIds.All(rule => rule == ElectoralReserve);

    /// <summary>The window within which two messages count together.</summary>
    public static readonly TimeSpan FrequencyWindow = TimeSpan.FromDays(30);

    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    /// <summary>CH-SCOPE: every target under the issuer's competence, and at least one target.</summary>
    public static IEnumerable<CharterFinding> CheckScope(string issuer, IReadOnlyList<TargetSchool> targets)
    {
        if (targets.Count == 0)
        {
            yield return new("CH-SCOPE", Severity.Block, "targets", "",
                "Aucun établissement n'est sous la compétence de l'émetteur à la date de publication.", "Choisissez des établissements de votre ressort.");
        }

        foreach (var school in targets.Where(s => s.CompetentAuthority != issuer))
        {
            yield return new("CH-SCOPE", Severity.Block, school.Field, school.Label,
                school.CompetentAuthority is null
                    ? $"{school.Label} n'a pas de collectivité de rattachement à la date de publication."
                    : $"{school.Label} ne relève pas de l'émetteur mais de {school.CompetentAuthority} à la date de publication.",
                "Retirez cet établissement des destinataires.");
        }
    }

    /// <summary>
    /// CH-FREQUENCY: a school may get at most <paramref name="max"/> of the issuer's messages whose
    /// publication falls within 30 days of this one.
    /// </summary>
    public static IEnumerable<CharterFinding> CheckFrequency(DateTimeOffset publishTime, IReadOnlyList<TargetSchool> targets, IReadOnlyList<CountedMessage> others, int max)
    {
        foreach (var school in targets)
        {
            var count = others.Count(m => (m.PublishTime - publishTime).Duration() < FrequencyWindow && m.Schools.Contains(school.Name));
            if (count + 1 > max)
            {
                yield return new("CH-FREQUENCY", Severity.Block, school.Field, school.Label,
                    $"{school.Label} recevrait {count + 1} messages de l'émetteur en 30 jours, pour {max} au plus.",
                    "Regroupez les informations ou décalez la publication.");
            }
        }
    }

    /// <summary>
    /// CH-ELECTORAL-RESERVE: a publication window that meets the reserve window of an election concerning
    /// the issuer is flagged as the charter says; a promotional term inside it always blocks.
    /// </summary>
    public static IEnumerable<CharterFinding> CheckElectoralReserve(MessageDraft draft, Charter charter, IReadOnlyList<ElectionWindow> elections)
    {
        var from = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(draft.PublishTime, Paris).DateTime);
        var until = draft.ExpireTime is { } expire && expire > draft.PublishTime ? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(expire, Paris).DateTime) : from;
        foreach (var election in elections.Where(e => e.Start <= until && from <= e.End))
        {
            yield return new(ElectoralReserve, charter.ElectoralReserve, "publishTime", election.Label,
                $"La publication ({from:yyyy-MM-dd} au {until:yyyy-MM-dd}) tombe dans la période de réserve de l'élection « {election.Label} » ({election.Start:yyyy-MM-dd} au {election.End:yyyy-MM-dd}).",
                "Vérifiez que le message reste strictement informatif, ou publiez-le après le scrutin.");
            foreach (var (field, text) in new[] { ("title", draft.Title), ("body", draft.Body) })
            {
                var matcher = new TextMatcher(text);
                var allowed = charter.AllowedPhrases.SelectMany(matcher.Find).ToList();
                foreach (var term in charter.Terms.Where(t => t.Category == TermCategory.Promotional))
                {
                    foreach (var (start, end) in CharterEngine.Matches(matcher, term, allowed))
                    {
                        yield return new(ElectoralReserve, Severity.Block, field, matcher.Excerpt(start, end),
                            $"« {text[start..end]} » met en valeur l'action de l'émetteur pendant la période de réserve de l'élection « {election.Label} ».",
                            "Retirez toute mise en valeur de la collectivité pendant la réserve.");
                    }
                }
            }
        }
    }
}
