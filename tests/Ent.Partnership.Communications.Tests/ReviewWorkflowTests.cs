using Ent.Partnership.Communications.Domain;
using Ent.Partnership.Communications.V1;
using Ent.Partnership.ServiceDefaults.Errors;
using Google.Protobuf.WellKnownTypes;
using Decision = Ent.Partnership.Communications.V1.Review.Types.Decision;
using State = Ent.Partnership.Communications.V1.Communication.Types.State;

namespace Ent.Partnership.Communications.Tests;

public sealed class ReviewWorkflowTests
{
    private const string Strasbourg = "parties/aca-strasbourg";
    private const string NancyMetz = "parties/aca-nancy-metz";

    private static readonly Timestamp Submitted = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private static readonly Timestamp Now = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));

    /// <summary>A message to schools of both académies, with one warning of the electoral reserve.</summary>
    private static Communication Submitted2(State state = State.PendingValidation) => new()
    {
        Name = "communications/m1",
        Issuer = "parties/region-grand-est",
        State = state,
        Reviewers = { Strasbourg, NancyMetz },
        SubmitTime = Submitted,
        Verdict = new Verdict { Findings = { new Finding { RuleId = "CH-ELECTORAL-RESERVE", Severity = Finding.Types.Severity.Warn } } },
    };

    private static readonly string[] Acknowledged = ["CH-ELECTORAL-RESERVE"];

    [Fact]
    public void TheFirstApproval_IsRecorded_AndTheMessageWaitsForTheOther()
    {
        var message = Submitted2();

        var approved = ReviewWorkflow.Approve(message, [Strasbourg], Acknowledged, Now);

        Assert.Equal(State.PendingValidation, approved.State);
        Assert.Null(approved.ApproveTime);
        var review = Assert.Single(approved.Reviews);
        Assert.Equal((Strasbourg, Decision.Approved, Now), (review.Reviewer, review.Decision, review.Time));
        Assert.Empty(message.Reviews);
    }

    [Fact]
    public void TheLastApproval_MakesTheMessageApproved()
    {
        var once = ReviewWorkflow.Approve(Submitted2(), [Strasbourg], Acknowledged, Now);

        var twice = ReviewWorkflow.Approve(once, [NancyMetz], Acknowledged, Now);

        Assert.Equal((State.Approved, Now), (twice.State, twice.ApproveTime));
        Assert.Equal([Strasbourg, NancyMetz], twice.Reviews.Select(r => r.Reviewer));
    }

    [Fact]
    public void AnAdminApprovesForEveryReviewerStillToApprove()
    {
        var once = ReviewWorkflow.Approve(Submitted2(), [Strasbourg], Acknowledged, Now);

        var all = ReviewWorkflow.Approve(once, [Strasbourg, NancyMetz], Acknowledged, Now);

        Assert.Equal([Strasbourg, NancyMetz], all.Reviews.Select(r => r.Reviewer));
        Assert.Equal(State.Approved, all.State);
    }

    [Fact]
    public void AnApproval_MustAcknowledgeEveryWarning()
    {
        var error = Assert.Throws<FailedPreconditionException>(() => ReviewWorkflow.Approve(Submitted2(), [Strasbourg], [], Now));

        var condition = Assert.Single(error.Conditions);
        Assert.Equal(("WARNING_NOT_ACKNOWLEDGED", "CH-ELECTORAL-RESERVE"), (condition.Type, condition.Subject));
    }

    [Fact]
    public void AnUrgentMessagePublishedBeforeReview_IsApprovedButStaysPublished()
    {
        var published = Submitted2(State.Published);
        published.Reviewers.Remove(NancyMetz);

        var approved = ReviewWorkflow.Approve(published, [Strasbourg], Acknowledged, Now);

        Assert.Equal((State.Published, Now), (approved.State, approved.ApproveTime));
    }

    [Theory]
    [InlineData(State.Draft)]
    [InlineData(State.Approved)]
    [InlineData(State.ChangesRequested)]
    [InlineData(State.Rejected)]
    public void OnlyAMessageInReview_IsApprovedOrRejected(State state)
    {
        var approving = Assert.Throws<FailedPreconditionException>(() => ReviewWorkflow.Approve(Submitted2(state), [Strasbourg], Acknowledged, Now));
        var rejecting = Assert.Throws<FailedPreconditionException>(() => ReviewWorkflow.Reject(Submitted2(state), [Strasbourg], "Non.", Now));

        Assert.All([approving, rejecting], e => Assert.Equal("WRONG_STATE", Assert.Single(e.Conditions).Type));
    }

    [Fact]
    public void ApprovingTwice_IsRefused_OnceEveryoneApproved()
    {
        var approved = ReviewWorkflow.Approve(Submitted2(), [Strasbourg, NancyMetz], Acknowledged, Now);

        Assert.Throws<FailedPreconditionException>(() => ReviewWorkflow.Approve(approved, [Strasbourg], Acknowledged, Now));
    }

    [Fact]
    public void OneReviewerSendingItBack_SendsItBackToTheIssuer_WithTheComment()
    {
        var changed = ReviewWorkflow.RequestChanges(Submitted2(), [NancyMetz], "Préciser la date.", Now);

        Assert.Equal((State.ChangesRequested, "Préciser la date."), (changed.State, changed.StateReason));
        var review = Assert.Single(changed.Reviews);
        Assert.Equal((NancyMetz, Decision.ChangesRequested, "Préciser la date."), (review.Reviewer, review.Decision, review.Comment));
    }

    [Fact]
    public void ARejection_RecordsTheReview_AndLeavesTheEndToThePublisher()
    {
        var rejected = ReviewWorkflow.Reject(Submitted2(), [Strasbourg], "Hors charte.", Now);

        Assert.Equal(State.PendingValidation, rejected.State);
        Assert.Equal(Decision.Rejected, Assert.Single(rejected.Reviews).Decision);
    }

    [Fact]
    public void AReviewThatSendsBackOrRefuses_SaysWhy()
    {
        var error = Assert.Throws<InvalidArgumentException>(() => ReviewWorkflow.RequireComment("  "));

        Assert.Equal("comment", Assert.Single(error.Violations).Field);
    }
}
