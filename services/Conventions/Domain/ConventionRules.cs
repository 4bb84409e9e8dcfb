using Ent.Partnership.Conventions.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;

namespace Ent.Partnership.Conventions.Domain;

/// <summary>What makes a convention's content valid, while drafting and before submission.</summary>
public static class ConventionRules
{
    /// <summary>Every problem of the content, one violation per field path (<c>signatories[2].party</c>).</summary>
    public static List<FieldViolation> Check(Convention convention)
    {
        var violations = new List<FieldViolation>();
        void Add(string field, string description) => violations.Add(new FieldViolation(field, description));

        if (string.IsNullOrWhiteSpace(convention.Title))
        {
            Add("title", "Le titre est obligatoire.");
        }

        if (convention.Signatories.Count == 0)
        {
            Add("signatories", "Une convention a au moins un signataire.");
        }

        var parties = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < convention.Signatories.Count; i++)
        {
            var signatory = convention.Signatories[i];
            if (ResourceName.IdOf(signatory.Party, "parties") is null)
            {
                Add($"signatories[{i}].party", $"« {signatory.Party} » n'est pas un nom de partie (parties/{{id}}).");
            }
            else if (!parties.Add(signatory.Party))
            {
                Add($"signatories[{i}].party", $"{signatory.Party} figure déjà parmi les signataires.");
            }

            if (signatory.Role == Signatory.Types.Role.Unspecified)
            {
                Add($"signatories[{i}].role", "Le rôle du signataire est obligatoire.");
            }
        }

        var effective = Date(convention.EffectiveDate, "effectiveDate", required: true, Add);
        var end = Date(convention.EndDate, "endDate", required: false, Add);
        if (effective is not null && end is not null && end < effective)
        {
            Add("endDate", "La date de fin précède la date d'effet.");
        }

        CheckArticles(convention, Add);
        CheckAnnexes(convention, Add);
        return violations;
    }

    private static void CheckArticles(Convention convention, Action<string, string> add)
    {
        var numbers = new HashSet<string>(StringComparer.Ordinal);
        var clauseIds = new HashSet<string>(StringComparer.Ordinal);
        var charterAnnexes = convention.Annexes.Where(a => a.Kind == Annex.Types.Kind.UsageCharter).Select(a => a.AnnexId).ToHashSet();
        for (var i = 0; i < convention.Articles.Count; i++)
        {
            var article = convention.Articles[i];
            if (string.IsNullOrWhiteSpace(article.Number) || !numbers.Add(article.Number))
            {
                add($"articles[{i}].number", "Chaque article a un numéro, unique.");
            }

            for (var j = 0; j < article.Clauses.Count; j++)
            {
                var path = $"articles[{i}].clauses[{j}]";
                var clause = article.Clauses[j];
                var id = clause.ClauseCase switch
                {
                    Clause.ClauseOneofCase.Obligation => clause.Obligation.ClauseId,
                    Clause.ClauseOneofCase.CommunicationRight => clause.CommunicationRight.ClauseId,
                    Clause.ClauseOneofCase.Governance => clause.Governance.ClauseId,
                    _ => null,
                };
                if (id is null)
                {
                    add(path, "Une clause est une obligation, un droit de communication ou une instance de gouvernance.");
                    continue;
                }

                if (id.Length == 0 || !clauseIds.Add(id))
                {
                    add(path + ".clauseId", "Chaque clause a un identifiant, unique dans la convention.");
                }

                if (clause.ClauseCase == Clause.ClauseOneofCase.Obligation)
                {
                    CheckObligation(clause.Obligation, path + ".obligation", add);
                }
                else if (clause.ClauseCase == Clause.ClauseOneofCase.CommunicationRight && !charterAnnexes.Contains(clause.CommunicationRight.CharterAnnexId))
                {
                    add(path + ".communicationRight.charterAnnexId", "Le droit de communication renvoie à une annexe de type USAGE_CHARTER de la convention.");
                }
            }
        }
    }

    private static void CheckObligation(ObligationClause obligation, string path, Action<string, string> add)
    {
        if (obligation.ObligorRole == Signatory.Types.Role.Unspecified)
        {
            add(path + ".obligorRole", "Le rôle des débiteurs de l'obligation est obligatoire.");
        }

        if (obligation.Kind == ObligationClause.Types.Kind.Unspecified)
        {
            add(path + ".kind", "La nature de l'obligation est obligatoire.");
        }

        if (obligation.Metric == ObligationClause.Types.Metric.Unspecified)
        {
            add(path + ".metric", "La mesure de l'obligation est obligatoire.");
        }

        if (obligation.Recurrence == ObligationClause.Types.Recurrence.Unspecified)
        {
            add(path + ".recurrence", "La périodicité de l'obligation est obligatoire.");
        }

        if (obligation.DueDate.Length > 0 && (obligation.Recurrence != ObligationClause.Types.Recurrence.Once || !CivilDate.TryParse(obligation.DueDate, out _)))
        {
            add(path + ".dueDate", "Une échéance (AAAA-MM-JJ) ne se donne qu'à une obligation ONCE.");
        }

        if (obligation.Target < 0 || obligation.PartyTargets.Any(t => t.Target < 0))
        {
            add(path + ".target", "Une cible ne peut pas être négative.");
        }

        if (obligation.Sla is { } sla && (sla.FirstResponseBusinessHours is < 0 or > MaxServiceLevelHours || sla.ResolutionBusinessHours is < 0 or > MaxServiceLevelHours))
        {
            add(path + ".sla", $"Un délai de service se compte de 0 à {MaxServiceLevelHours} heures ouvrées.");
        }
    }

    private static void CheckAnnexes(Convention convention, Action<string, string> add)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < convention.Annexes.Count; i++)
        {
            var annex = convention.Annexes[i];
            if (string.IsNullOrWhiteSpace(annex.AnnexId) || !ids.Add(annex.AnnexId))
            {
                add($"annexes[{i}].annexId", "Chaque annexe a un identifiant, unique.");
            }

            if (annex.Kind == Annex.Types.Kind.Unspecified)
            {
                add($"annexes[{i}].kind", "La nature de l'annexe est obligatoire.");
            }

            if (annex.Charter is not null && annex.Kind != Annex.Types.Kind.UsageCharter)
            {
                add($"annexes[{i}].charter", "Seule une annexe USAGE_CHARTER porte les paramètres d'une charte.");
            }
        }
    }

    /// <summary>A year of business hours: beyond it a service level means nothing, and its clock would run on for ages.</summary>
    public const int MaxServiceLevelHours = 2600;

    /// <summary>The dates a convention can have: obligations are planned period by period between them.</summary>
    public static readonly DateOnly EarliestDate = new(1990, 1, 1);

    public static readonly DateOnly LatestDate = new(2100, 12, 31);

    private static DateOnly? Date(string text, string field, bool required, Action<string, string> add)
    {
        if (text.Length == 0)
        {
            if (required)
            {
                add(field, "La date est obligatoire (AAAA-MM-JJ).");
            }

            return null;
        }

        if (!CivilDate.TryParse(text, out var date))
        {
            add(field, $"« {text} » n'est pas une date AAAA-MM-JJ valide.");
            return null;
        }

        if (date < EarliestDate || date > LatestDate)
        {
            add(field, $"Une convention s'applique entre le {EarliestDate.ToText()} et le {LatestDate.ToText()}.");
            return null;
        }

        return date;
    }
}
