using Ent.Partnership.Conventions.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;

namespace Ent.Partnership.Conventions.Domain;

/// <summary>The steering committee and the other governing bodies: meetings, their quorum, their decisions.</summary>
public static class Governance
{
    public const string QuorumNotReached = "QUORUM_NOT_REACHED";

    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    /// <summary>Checks a meeting to schedule: any state of the convention but TERMINATED and EXPIRED.</summary>
    public static void CheckNewMeeting(Convention convention, Meeting meeting)
    {
        if (convention.State is Convention.Types.State.Terminated or Convention.Types.State.Expired)
        {
            throw new FailedPreconditionException("WRONG_STATE", convention.Name,
                $"La convention est {ProtoEnum.Name(convention.State)} : ses instances ne se réunissent plus.");
        }

        var violations = new List<FieldViolation>();
        if (meeting.Body == GovernanceClause.Types.Body.Unspecified)
        {
            violations.Add(new("body", "L'instance (STEERING_COMMITTEE ou TECHNICAL_COMMITTEE) est obligatoire."));
        }

        if (meeting.Kind == Meeting.Types.Kind.Unspecified)
        {
            violations.Add(new("kind", "La nature de la réunion (ORDINARY ou EXTRAORDINARY) est obligatoire."));
        }

        if (meeting.ScheduledAt is null)
        {
            violations.Add(new("scheduledAt", "La date de la réunion est obligatoire."));
        }

        var items = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < meeting.Agenda.Count; i++)
        {
            if (meeting.Agenda[i].ItemId.Length == 0 || !items.Add(meeting.Agenda[i].ItemId))
            {
                violations.Add(new($"agenda[{i}].itemId", "Chaque point de l'ordre du jour a un identifiant, unique."));
            }
        }

        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }
    }

    /// <summary>Checks a SCHEDULED meeting moved (its date, place or agenda) as a new one would be.</summary>
    public static void Reschedule(Convention convention, Meeting before, Meeting after)
    {
        RequireScheduled(before, "déplacée");
        CheckNewMeeting(convention, after);
    }

    /// <summary>A SCHEDULED meeting is called off: CANCELLED, with why.</summary>
    public static void Cancel(Meeting meeting, string reason)
    {
        RequireScheduled(meeting, "annulée");
        meeting.State = Meeting.Types.State.Cancelled;
        meeting.CancellationReason = reason;
    }

    private static void RequireScheduled(Meeting meeting, string verb)
    {
        if (meeting.State != Meeting.Types.State.Scheduled)
        {
            throw new FailedPreconditionException("MEETING_NOT_SCHEDULED", meeting.Name,
                $"La réunion est {ProtoEnum.Name(meeting.State)} : seule une réunion prévue (SCHEDULED) peut être {verb}.");
        }
    }

    /// <summary>
    /// Records that the meeting was held, if more than half of the signatory parties were present or
    /// represented. A successor takes one seat for all its predecessors from the day of the succession.
    /// </summary>
    public static void Hold(ConventionFile file, Meeting meeting, IReadOnlyList<Attendance> attendance, DateTimeOffset now)
    {
        RequireScheduled(meeting, "tenue");
        if (meeting.ScheduledAt.ToDateTimeOffset() > now)
        {
            throw new FailedPreconditionException("MEETING_NOT_YET", meeting.Name, "Une réunion se tient à sa date ou après.");
        }

        var day = DayOf(meeting);
        var seats = file.Convention.Signatories.Select(s => file.ActorOn(s.Party, day)).ToHashSet(StringComparer.Ordinal);
        var violations = new List<FieldViolation>();
        for (var i = 0; i < attendance.Count; i++)
        {
            if (!seats.Contains(attendance[i].Party))
            {
                violations.Add(new($"attendance[{i}].party", $"{attendance[i].Party} ne siège pas pour un signataire le {day.ToText()}."));
            }

            if (attendance[i].Status == Attendance.Types.Status.Unspecified)
            {
                violations.Add(new($"attendance[{i}].status", "La présence (PRESENT, REPRESENTED ou ABSENT) est obligatoire."));
            }
        }

        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }

        var present = attendance.Where(a => a.Status is Attendance.Types.Status.Present or Attendance.Types.Status.Represented)
            .Select(a => a.Party).ToHashSet(StringComparer.Ordinal).Count;
        if (present * 2 <= seats.Count)
        {
            throw new FailedPreconditionException(QuorumNotReached, meeting.Name,
                $"{present} signataires présents ou représentés sur {seats.Count} : il en faut plus de la moitié.");
        }

        meeting.Attendance.Clear();
        meeting.Attendance.AddRange(attendance);
        meeting.State = Meeting.Types.State.Held;
    }

    /// <summary>
    /// Records a decision of a held meeting. An approved validateCharter binds the convention's charter
    /// status to the annex as it is now; returns true when it does.
    /// </summary>
    public static bool RecordDecision(Convention convention, Meeting meeting, Decision decision)
    {
        if (meeting.State != Meeting.Types.State.Held)
        {
            throw new FailedPreconditionException("MEETING_NOT_HELD", meeting.Name, "Une décision s'enregistre pour une réunion tenue.");
        }

        var violations = new List<FieldViolation>();
        if (decision.DecisionId.Length == 0)
        {
            violations.Add(new("decision.decisionId", "L'identifiant de la décision est obligatoire."));
        }

        if (meeting.Agenda.All(item => item.ItemId != decision.ItemId))
        {
            violations.Add(new("decision.itemId", $"« {decision.ItemId} » n'est pas un point de l'ordre du jour."));
        }

        if (decision.Outcome == Decision.Types.Outcome.Unspecified)
        {
            violations.Add(new("decision.outcome", "Le sens de la décision (APPROVED, REJECTED ou DEFERRED) est obligatoire."));
        }

        if (decision.EffectCase == Decision.EffectOneofCase.WaiveObligation && ResourceName.IdOf(decision.WaiveObligation.Obligation, "obligations") is null)
        {
            violations.Add(new("decision.waiveObligation.obligation", "L'obligation est de la forme obligations/{id}."));
        }

        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }

        if (meeting.Decisions.Any(d => d.DecisionId == decision.DecisionId))
        {
            throw new AlreadyExistsException($"{meeting.Name}/decisions/{decision.DecisionId}", $"La décision {decision.DecisionId} est déjà enregistrée.");
        }

        Annex? annex = null;
        if (decision.EffectCase == Decision.EffectOneofCase.ValidateCharter)
        {
            annex = convention.Annexes.FirstOrDefault(a => a.AnnexId == decision.ValidateCharter.AnnexId);
            if (annex is not { Kind: Annex.Types.Kind.UsageCharter, Charter: not null })
            {
                throw new FailedPreconditionException("CHARTER_MISSING", convention.Name,
                    $"L'annexe « {decision.ValidateCharter.AnnexId} » n'est pas une charte d'usage avec ses paramètres.");
            }
        }

        meeting.Decisions.Add(decision);
        if (annex is null || decision.Outcome != Decision.Types.Outcome.Approved)
        {
            return false;
        }

        convention.CharterStatus = new CharterStatus
        {
            AnnexId = annex.AnnexId,
            AnnexDigest = ContentDigest.Of(annex),
            Decision = $"{meeting.Name}/decisions/{decision.DecisionId}",
            ValidatedOn = DayOf(meeting).ToText(),
        };
        return true;
    }

    /// <summary>The day of the meeting in Paris.</summary>
    public static DateOnly DayOf(Meeting meeting) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(meeting.ScheduledAt.ToDateTimeOffset(), Paris).DateTime);
}
