using Ent.Partnership.Communications.Domain;
using Ent.Partnership.Communications.V1;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Identity;
using Google.Protobuf.WellKnownTypes;
using State = Ent.Partnership.Communications.V1.Communication.Types.State;

namespace Ent.Partnership.Communications.Tests;

public sealed class MessageAccessTests
{
    private static readonly Caller Cea = new("parties/cea", new HashSet<string> { RoleNames.Collectivity }, null);
    private static readonly Caller Moselle = new("parties/dep-57", new HashSet<string> { RoleNames.Collectivity }, null);
    private static readonly Caller Strasbourg = new("parties/aca-strasbourg", new HashSet<string> { RoleNames.Academic }, null);
    private static readonly Caller NancyMetz = new("parties/aca-nancy-metz", new HashSet<string> { RoleNames.Academic }, null);
    private static readonly Caller Observer = new(null, new HashSet<string> { RoleNames.Observer }, null);
    private static readonly Caller Admin = new(null, new HashSet<string> { RoleNames.Admin }, null);

    private static readonly Timestamp Submitted = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    private static Communication Message(State state) => new()
    {
        Name = "communications/m1",
        Issuer = "parties/cea",
        State = state,
        Reviewers = { "parties/aca-strasbourg" },
        SubmitTime = state == State.Draft ? null : Submitted,
    };

    private static IEnumerable<Caller> ReadersAmong(Communication message) =>
        new[] { Cea, Moselle, Strasbourg, NancyMetz, Observer, Admin }.Where(MessageAccess.ReadersOf(message).Admit);

    [Fact]
    public void ADraft_IsReadByItsIssuerAndAdminsOnly() =>
        Assert.Equal([Cea, Admin], ReadersAmong(Message(State.Draft)));

    [Fact]
    public void ASubmittedMessage_IsReadByItsReviewersToo() =>
        Assert.Equal([Cea, Strasbourg, Admin], ReadersAmong(Message(State.PendingValidation)));

    [Fact]
    public void AnApprovedMessage_IsReadByEveryone()
    {
        var approved = Message(State.Approved);
        approved.ApproveTime = Submitted;

        Assert.Equal(6, ReadersAmong(approved).Count());
        Assert.Equal("all", MessageAccess.ReadersOf(approved).ToString());
    }

    [Fact]
    public void AnUrgentMessagePublishedBeforeApproval_IsReadByEveryone()
    {
        var urgent = Message(State.Published);
        urgent.PublicationStartTime = Submitted;

        Assert.Equal(6, ReadersAmong(urgent).Count());
    }

    [Fact]
    public void TheReadersOfADraft_AreWrittenAsTheEventsCarryThem() =>
        Assert.Equal("party:parties/cea role:admin", MessageAccess.ReadersOf(Message(State.Draft)).ToString());

    [Fact]
    public void AnAcademieNotNamed_CannotReview_AndAnAdminReviewsForEveryReviewer()
    {
        var message = Message(State.PendingValidation);

        Assert.Throws<PermissionDeniedException>(() => MessageAccess.ReviewersActing(NancyMetz, message));
        Assert.Equal(["parties/aca-strasbourg"], MessageAccess.ReviewersActing(Strasbourg, message));
        Assert.Equal(["parties/aca-strasbourg"], MessageAccess.ReviewersActing(Admin, message));
    }

    [Fact]
    public void AnApprovalGivenBeforeTheLastSubmission_NoLongerCounts()
    {
        var message = Message(State.PendingValidation);
        message.Reviews.Add(new Review { Reviewer = "parties/aca-strasbourg", Decision = Review.Types.Decision.Approved, Time = Timestamp.FromDateTimeOffset(Submitted.ToDateTimeOffset().AddDays(-1)) });

        Assert.Equal(["parties/aca-strasbourg"], MessageAccess.PendingReviewers(message));

        message.Reviews.Add(new Review { Reviewer = "parties/aca-strasbourg", Decision = Review.Types.Decision.Approved, Time = Timestamp.FromDateTimeOffset(Submitted.ToDateTimeOffset().AddHours(1)) });
        Assert.Empty(MessageAccess.PendingReviewers(message));
    }

    [Fact]
    public void ACollectivity_DraftsInItsOwnNameOnly_AndAnAcademieDoesNotDraft()
    {
        Assert.Equal("parties/cea", MessageAccess.IssuerFor(Cea, ""));
        Assert.Throws<PermissionDeniedException>(() => MessageAccess.IssuerFor(Cea, "parties/dep-57"));
        Assert.Throws<PermissionDeniedException>(() => MessageAccess.RequireDrafter(Strasbourg));
        Assert.Throws<PermissionDeniedException>(() => MessageAccess.RequireIssuer(Moselle, Message(State.Draft), "modifier ce message"));
    }
}
