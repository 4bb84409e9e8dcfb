using Ent.Partnership.Conventions.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Identity;

namespace Ent.Partnership.Conventions.Domain;

/// <summary>What a deliberation or a signature must say to be recorded, and for whom a caller records it.</summary>
public static class RecordRules
{
    /// <summary>
    /// The party a deliberation or signature is recorded for: a party records its own (the field may be left
    /// empty), an admin records it for any party.
    /// </summary>
    public static string ActingParty(Caller caller, string party, string action)
    {
        if (caller.IsAdmin)
        {
            return party.Length > 0 ? party : throw new InvalidArgumentException("party", "La partie est obligatoire.");
        }

        if (caller.Party is null || (party.Length > 0 && party != caller.Party))
        {
            throw new PermissionDeniedException($"Une partie ne peut {action} que pour elle-même.");
        }

        return caller.Party;
    }

    public static void CheckDeliberation(Deliberation deliberation, DateOnly today)
    {
        var violations = new List<FieldViolation>();
        if (deliberation.Stage == Deliberation.Types.Stage.Unspecified)
        {
            violations.Add(new("stage", "L'étape (COMMISSION_OPINION ou DECISION) est obligatoire."));
        }
        else if (deliberation.Stage == Deliberation.Types.Stage.CommissionOpinion
            ? deliberation.Outcome is not (Deliberation.Types.Outcome.Favorable or Deliberation.Types.Outcome.Unfavorable)
            : deliberation.Outcome is not (Deliberation.Types.Outcome.Adopted or Deliberation.Types.Outcome.Rejected))
        {
            violations.Add(new("outcome", "Un avis est FAVORABLE ou UNFAVORABLE ; une décision ADOPTED ou REJECTED."));
        }

        if (string.IsNullOrWhiteSpace(deliberation.Body))
        {
            violations.Add(new("body", "L'instance qui a délibéré est obligatoire."));
        }

        if (deliberation.Stage == Deliberation.Types.Stage.Decision && string.IsNullOrWhiteSpace(deliberation.Reference))
        {
            violations.Add(new("reference", "La référence de la décision (ex. CP/2019/538) est obligatoire."));
        }

        CheckPastDate(deliberation.Date, "date", today, violations);
        if (deliberation.Votes is { } votes && (votes.For < 0 || votes.Against < 0 || votes.Abstention < 0))
        {
            violations.Add(new("votes", "Les nombres de voix ne peuvent pas être négatifs."));
        }

        if (deliberation.PrefectureAcknowledgedOn.Length > 0)
        {
            CheckPastDate(deliberation.PrefectureAcknowledgedOn, "prefectureAcknowledgedOn", today, violations);
        }

        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }
    }

    public static void CheckSignature(Signature signature, DateOnly today)
    {
        var violations = new List<FieldViolation>();
        if (string.IsNullOrWhiteSpace(signature.SignatoryName))
        {
            violations.Add(new("signatoryName", "Le nom du signataire est obligatoire."));
        }

        CheckPastDate(signature.SignedOn, "signedOn", today, violations);
        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }
    }

    /// <summary>Dates of deliberations and signatures are declared facts: in the past or today, never in the future.</summary>
    private static void CheckPastDate(string text, string field, DateOnly today, List<FieldViolation> violations)
    {
        if (!CivilDate.TryParse(text, out var date))
        {
            violations.Add(new(field, "La date (AAAA-MM-JJ) est obligatoire."));
        }
        else if (date > today)
        {
            violations.Add(new(field, $"Le {text} est dans le futur : seuls des faits accomplis s'enregistrent."));
        }
    }
}
