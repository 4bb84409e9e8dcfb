using Ent.Partnership.Obligations.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;
using static Ent.Partnership.Conventions.V1.ObligationClause.Types;
using static Ent.Partnership.Obligations.V1.Obligation.Types;

namespace Ent.Partnership.Obligations.Domain;

/// <summary>What evidence an obligation takes, and what the evidence adds up to for its metric.</summary>
public static class EvidenceRules
{
    /// <summary>A thousand billion euros: far above any payment, and sums of them cannot overflow.</summary>
    public const long MaxAmountCents = 100_000_000_000_000;

    /// <summary>Checks <paramref name="evidence"/> for <paramref name="obligation"/> on <paramref name="today"/>.</summary>
    public static void Check(Obligation obligation, Evidence evidence, DateOnly today)
    {
        // A settled CANCELLED obligation is checked below, by the evidence's date.
        if (obligation.Status is Status.Waived or Status.Superseded || (obligation.Status == Status.Cancelled && obligation.SettledOn.Length == 0))
        {
            throw new FailedPreconditionException("OBLIGATION_CLOSED", obligation.Name,
                $"L'obligation est {ProtoEnum.Name(obligation.Status)} : elle ne reçoit plus de justificatif.");
        }

        var expected = obligation.Kind switch
        {
            Kind.Training => Evidence.EvidenceOneofCase.TrainingSession,
            Kind.Information => Evidence.EvidenceOneofCase.InformationAction,
            Kind.Financing => Evidence.EvidenceOneofCase.Payment,
            Kind.Reporting => Evidence.EvidenceOneofCase.Report,
            _ => Evidence.EvidenceOneofCase.None,
        };
        if (expected == Evidence.EvidenceOneofCase.None)
        {
            throw new FailedPreconditionException("NO_EVIDENCE_FOR_KIND", obligation.Name,
                "L'assistance se justifie par ses tickets, non par des justificatifs.");
        }

        if (evidence.EvidenceCase != expected)
        {
            throw new InvalidArgumentException(FieldName(expected), $"Une obligation {ProtoEnum.Name(obligation.Kind)} se justifie par un {FieldName(expected)}.");
        }

        var violations = new List<FieldViolation>();
        var (dateText, dateField) = DateTextOf(evidence);
        switch (evidence.EvidenceCase)
        {
            case Evidence.EvidenceOneofCase.TrainingSession:
                var session = evidence.TrainingSession;
                Require(session.Audience != Audience.Unspecified, "trainingSession.audience", "Le public de la session est obligatoire.", violations);
                Require(session.Participants >= 0, "trainingSession.participants", "Le nombre de participants ne peut pas être négatif.", violations);
                Require(session.Hours > 0 && double.IsFinite(session.Hours), "trainingSession.hours", "La durée, en heures, est plus grande que zéro.", violations);
                Require(session.Modality != TrainingSession.Types.Modality.Unspecified, "trainingSession.modality", "La modalité (ON_SITE ou REMOTE) est obligatoire.", violations);
                break;
            case Evidence.EvidenceOneofCase.InformationAction:
                Require(evidence.InformationAction.Audience != Audience.Unspecified, "informationAction.audience", "Le public de l'action est obligatoire.", violations);
                Require(evidence.InformationAction.Channel.Length > 0, "informationAction.channel", "Le canal de l'action est obligatoire.", violations);
                Require(evidence.InformationAction.Reach >= 0, "informationAction.reach", "L'audience touchée ne peut pas être négative.", violations);
                break;
            case Evidence.EvidenceOneofCase.Payment:
                Require(evidence.Payment.AmountCents is > 0 and <= MaxAmountCents, "payment.amountCents", "Le montant, en centimes, est plus grand que zéro (et d'au plus mille milliards d'euros).", violations);
                break;
            default:
                Require(evidence.Report.Title.Length > 0, "report.title", "Le titre du rapport est obligatoire.", violations);
                break;
        }

        if (!CivilDate.TryParse(dateText, out var date))
        {
            violations.Add(new(dateField, "La date (AAAA-MM-JJ) est obligatoire."));
        }
        else if (date > today)
        {
            violations.Add(new(dateField, $"Le {dateText} est dans le futur : seuls des faits accomplis s'enregistrent."));
        }

        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }

        if (date < CivilDate.Parse(obligation.Period.StartDate, "startDate") || date > CivilDate.Parse(obligation.Period.EndDate, "endDate"))
        {
            throw new FailedPreconditionException("OUTSIDE_PERIOD", obligation.Name,
                $"Le {dateText} est hors de la période de l'obligation ({obligation.Period.StartDate} – {obligation.Period.EndDate}).");
        }

        // A settled obligation still takes what was done before its settlement day, recorded late.
        if (CivilDate.TryParse(obligation.SettledOn, out var settled) && date >= settled)
        {
            throw new FailedPreconditionException("OBLIGATION_CLOSED", obligation.Name,
                $"L'obligation a été soldée le {obligation.SettledOn} : elle ne reçoit plus que des justificatifs antérieurs.");
        }
    }

    /// <summary>The day the evidence tells of (held, paid, submitted); <see cref="DateOnly.MinValue"/> when it has none.</summary>
    public static DateOnly DateOf(Evidence evidence) =>
        CivilDate.TryParse(DateTextOf(evidence).Text, out var date) ? date : DateOnly.MinValue;

    private static (string Text, string Field) DateTextOf(Evidence evidence) => evidence.EvidenceCase switch
    {
        Evidence.EvidenceOneofCase.TrainingSession => (evidence.TrainingSession.HeldOn, "trainingSession.heldOn"),
        Evidence.EvidenceOneofCase.InformationAction => (evidence.InformationAction.HeldOn, "informationAction.heldOn"),
        Evidence.EvidenceOneofCase.Payment => (evidence.Payment.PaidOn, "payment.paidOn"),
        _ => (evidence.Report?.SubmittedOn ?? "", "report.submittedOn"),
    };

    /// <summary>What the evidence counts for the obligation's metric.</summary>
    public static long Achieved(Obligation obligation, IReadOnlyCollection<Evidence> evidence) => obligation.Metric switch
    {
        Metric.Sessions => evidence.Count(e => e.EvidenceCase is Evidence.EvidenceOneofCase.TrainingSession or Evidence.EvidenceOneofCase.InformationAction),
        Metric.Participants => evidence.Sum(e => (long)(e.TrainingSession?.Participants ?? e.InformationAction?.Reach ?? 0)),
        Metric.SchoolsCovered => evidence.Where(e => e.TrainingSession is not null).SelectMany(e => e.TrainingSession.Schools).Distinct().Count(),
        Metric.AmountCents => evidence.Sum(e => e.Payment?.AmountCents ?? 0),
        Metric.Reports => evidence.Count(e => e.Report is not null),
        _ => obligation.Achieved,
    };

    private static void Require(bool condition, string field, string description, List<FieldViolation> violations)
    {
        if (!condition)
        {
            violations.Add(new(field, description));
        }
    }

    private static string FieldName(Evidence.EvidenceOneofCase kind) => kind switch
    {
        Evidence.EvidenceOneofCase.TrainingSession => "trainingSession",
        Evidence.EvidenceOneofCase.InformationAction => "informationAction",
        Evidence.EvidenceOneofCase.Payment => "payment",
        _ => "report",
    };
}
