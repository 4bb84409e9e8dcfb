using Ent.Partnership.Communications.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;
using Google.Protobuf.WellKnownTypes;
using Decision = Ent.Partnership.Communications.V1.Review.Types.Decision;
using State = Ent.Partnership.Communications.V1.Communication.Types.State;

namespace Ent.Partnership.Communications.Domain;

/// <summary>
/// The académies' review of a submitted message: each reviewer approves (acknowledging every warning), and the
/// last approval makes it APPROVED; one reviewer sending it back or refusing it decides for all. An urgent
/// message published before review is reviewed the same way. Each returns the message changed, a copy.
/// </summary>
public static class ReviewWorkflow
{
    /// <summary>Whether the message waits for reviews: submitted, or published urgently and not yet approved.</summary>
    public static bool InReview(Communication message) =>
        message.State == State.PendingValidation || message.State == State.Published && message.ApproveTime is null;

    /// <summary>
    /// The approval of <paramref name="reviewers"/> (those the caller acts for): one review each for those still
    /// to approve; FAILED_PRECONDITION for a message not in review or a warning not acknowledged.
    /// </summary>
    public static Communication Approve(Communication message, IReadOnlyList<string> reviewers, IReadOnlyList<string> acknowledged, Timestamp now)
    {
        var pending = MessageAccess.PendingReviewers(message);
        if (!InReview(message) || pending.Count == 0)
        {
            throw WrongState(message, "approuvé");
        }

        var missing = (message.Verdict?.Findings ?? []).Where(f => f.Severity == V1.Finding.Types.Severity.Warn)
            .Select(f => f.RuleId).Distinct().Where(r => !acknowledged.Contains(r)).ToList();
        if (missing.Count > 0)
        {
            throw new FailedPreconditionException("L'approbation doit prendre acte de chaque avertissement.",
                missing.Select(r => new UnmetCondition("WARNING_NOT_ACKNOWLEDGED", r, $"L'avertissement {r} n'est pas cité dans acknowledgedRuleIds.")).ToList());
        }

        var approved = message.Clone();
        approved.Reviews.Add(reviewers.Where(pending.Contains)
            .Select(r => new Review { Reviewer = r, Decision = Decision.Approved, AcknowledgedRuleIds = { acknowledged }, Time = now }));
        approved.UpdateTime = now;
        if (MessageAccess.PendingReviewers(approved).Count == 0)
        {
            approved.ApproveTime = now;
            if (approved.State == State.PendingValidation)
            {
                approved.State = State.Approved;
            }
        }

        return approved;
    }

    /// <summary>The message sent back to its issuer with <paramref name="comment"/>, CHANGES_REQUESTED.</summary>
    public static Communication RequestChanges(Communication message, IReadOnlyList<string> reviewers, string comment, Timestamp now)
    {
        RequireState(message, "renvoyé", State.PendingValidation);
        var changed = message.Clone();
        changed.Reviews.Add(reviewers.Select(r => new Review { Reviewer = r, Decision = Decision.ChangesRequested, Comment = comment, Time = now }));
        changed.State = State.ChangesRequested;
        changed.StateReason = comment;
        changed.UpdateTime = now;
        return changed;
    }

    /// <summary>The refusal of <paramref name="reviewers"/>, recorded; the message's end (REJECTED, and a retraction) is the publisher's.</summary>
    public static Communication Reject(Communication message, IReadOnlyList<string> reviewers, string comment, Timestamp now)
    {
        if (!InReview(message))
        {
            throw WrongState(message, "refusé");
        }

        var rejected = message.Clone();
        rejected.Reviews.Add(reviewers.Select(r => new Review { Reviewer = r, Decision = Decision.Rejected, Comment = comment, Time = now }));
        return rejected;
    }

    /// <summary>FAILED_PRECONDITION <c>WRONG_STATE</c> unless the message is in one of <paramref name="states"/>.</summary>
    public static void RequireState(Communication message, string action, params State[] states)
    {
        if (!states.Contains(message.State))
        {
            throw WrongState(message, action);
        }
    }

    public static FailedPreconditionException WrongState(Communication message, string action) =>
        new("WRONG_STATE", message.Name, $"Un message {ProtoEnum.Name(message.State)} ne peut pas être {action}.");

    /// <summary>A review that sends back or refuses says why: checked first, before the message is read.</summary>
    public static void RequireComment(string comment)
    {
        if (string.IsNullOrWhiteSpace(comment))
        {
            throw new InvalidArgumentException("comment", "Le commentaire est obligatoire.");
        }
    }
}
