using Ent.Partnership.Conventions.Domain;
using Ent.Partnership.Conventions.V1;
using Ent.Partnership.ServiceDefaults.Errors;
using Google.Protobuf.WellKnownTypes;

namespace Ent.Partnership.Conventions.Tests.Domain;

public sealed class GovernanceTests
{
    private static readonly DateTimeOffset Now = new(2022, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly Convention Convention = new()
    {
        Name = "conventions/test",
        Signatories =
        {
            new Signatory { Party = "parties/aca-strasbourg" },
            new Signatory { Party = "parties/region-grand-est" },
            new Signatory { Party = "parties/dep-67" },
            new Signatory { Party = "parties/dep-68" },
        },
        Annexes = { new Annex { AnnexId = "annexe-1", Kind = Annex.Types.Kind.UsageCharter, Charter = new UsageCharter { MaxBodyLength = 4000 } } },
    };

    private static ConventionFile File => new(Convention, [], [], Succeeded.By("parties/cea", "2021-01-01", "parties/dep-67", "parties/dep-68"));

    private static Meeting Scheduled(DateTimeOffset at) => new()
    {
        Name = "conventions/test/meetings/m",
        Body = GovernanceClause.Types.Body.SteeringCommittee,
        Kind = Meeting.Types.Kind.Ordinary,
        ScheduledAt = Timestamp.FromDateTimeOffset(at),
        State = Meeting.Types.State.Scheduled,
        Agenda = { new AgendaItem { ItemId = "charte" } },
    };

    private static Attendance Present(string party) => new() { Party = "parties/" + party, Status = Attendance.Types.Status.Present };

    [Fact]
    public void AScheduledMeeting_CanBeMovedOrCancelled_AHeldOneNeither()
    {
        var meeting = Scheduled(new DateTimeOffset(2022, 2, 1, 8, 0, 0, TimeSpan.Zero));
        var moved = meeting.Clone();
        moved.Place = "Metz";
        moved.Agenda.Add(new AgendaItem { ItemId = "charte" });

        var duplicateItem = Assert.Throws<InvalidArgumentException>(() => Governance.Reschedule(Convention, meeting, moved));
        moved.Agenda.RemoveAt(1);
        Governance.Reschedule(Convention, meeting, moved);
        Governance.Hold(File, meeting, [Present("aca-strasbourg"), Present("region-grand-est"), Present("cea")], Now);

        Assert.Equal(["agenda[1].itemId"], duplicateItem.Violations.Select(v => v.Field));
        Assert.Equal("MEETING_NOT_SCHEDULED", Assert.Throws<FailedPreconditionException>(() => Governance.Cancel(meeting, "Reportée")).Conditions.Single().Type);
        Assert.Equal("MEETING_NOT_SCHEDULED", Assert.Throws<FailedPreconditionException>(() => Governance.Reschedule(Convention, meeting, moved)).Conditions.Single().Type);
    }

    [Fact]
    public void ACancelledMeeting_KeepsWhy_AndIsNeverHeld()
    {
        var meeting = Scheduled(new DateTimeOffset(2022, 2, 1, 8, 0, 0, TimeSpan.Zero));

        Governance.Cancel(meeting, "Quorum impossible");

        Assert.Equal((Meeting.Types.State.Cancelled, "Quorum impossible"), (meeting.State, meeting.CancellationReason));
        Assert.Throws<FailedPreconditionException>(() => Governance.Hold(File, meeting, [Present("aca-strasbourg"), Present("region-grand-est"), Present("cea")], Now));
    }

    [Fact]
    public void Hold_NeedsMoreThanHalfOfTheSeats()
    {
        // Before the succession: four seats, two present is only half.
        var meeting = Scheduled(new DateTimeOffset(2019, 9, 16, 8, 0, 0, TimeSpan.Zero));

        var error = Assert.Throws<FailedPreconditionException>(() => Governance.Hold(File, meeting, [Present("aca-strasbourg"), Present("dep-67")], Now));

        Assert.Equal(Governance.QuorumNotReached, error.Conditions.Single().Type);
        Governance.Hold(File, meeting, [Present("aca-strasbourg"), Present("dep-67"), Present("dep-68")], Now);
        Assert.Equal(Meeting.Types.State.Held, meeting.State);
    }

    [Fact]
    public void Hold_CountsTheSuccessorOnce_ForAllItsPredecessors()
    {
        // After the succession: three seats (académie, Région, CeA); two present is more than half.
        var meeting = Scheduled(new DateTimeOffset(2021, 6, 1, 8, 0, 0, TimeSpan.Zero));

        Governance.Hold(File, meeting, [Present("aca-strasbourg"), Present("cea")], Now);

        Assert.Equal(Meeting.Types.State.Held, meeting.State);
    }

    [Fact]
    public void Hold_RefusesAPredecessorAfterItsSuccession()
    {
        var meeting = Scheduled(new DateTimeOffset(2021, 6, 1, 8, 0, 0, TimeSpan.Zero));

        var error = Assert.Throws<InvalidArgumentException>(() => Governance.Hold(File, meeting, [Present("aca-strasbourg"), Present("dep-67")], Now));

        Assert.Equal("attendance[1].party", error.Violations.Single().Field);
    }

    [Fact]
    public void Hold_IsRefused_BeforeTheMeetingsDate()
    {
        var meeting = Scheduled(Now.AddDays(1));

        var error = Assert.Throws<FailedPreconditionException>(() => Governance.Hold(File, meeting, [Present("aca-strasbourg"), Present("region-grand-est"), Present("cea")], Now));

        Assert.Equal("MEETING_NOT_YET", error.Conditions.Single().Type);
    }

    [Fact]
    public void AnApprovedCharterValidation_BindsTheCharterStatusToTheAnnex()
    {
        var convention = Convention.Clone();
        var meeting = Scheduled(new DateTimeOffset(2019, 9, 16, 8, 0, 0, TimeSpan.Zero));
        meeting.State = Meeting.Types.State.Held;

        var validated = Governance.RecordDecision(convention, meeting, new Decision
        {
            DecisionId = "d1",
            ItemId = "charte",
            Outcome = Decision.Types.Outcome.Approved,
            ValidateCharter = new ValidateCharter { AnnexId = "annexe-1" },
        });

        Assert.True(validated);
        Assert.Equal(("annexe-1", ContentDigest.Of(convention.Annexes[0]), "2019-09-16", "conventions/test/meetings/m/decisions/d1"),
            (convention.CharterStatus.AnnexId, convention.CharterStatus.AnnexDigest, convention.CharterStatus.ValidatedOn, convention.CharterStatus.Decision));
    }

    [Fact]
    public void ARejectedCharterValidation_ValidatesNothing()
    {
        var convention = Convention.Clone();
        var meeting = Scheduled(Now.AddDays(-1));
        meeting.State = Meeting.Types.State.Held;

        Assert.False(Governance.RecordDecision(convention, meeting, new Decision
        {
            DecisionId = "d1",
            ItemId = "charte",
            Outcome = Decision.Types.Outcome.Rejected,
            ValidateCharter = new ValidateCharter { AnnexId = "annexe-1" },
        }));
        Assert.Null(convention.CharterStatus);
    }

    [Fact]
    public void ValidatingAnAnnexWithoutCharter_IsRefused()
    {
        var convention = Convention.Clone();
        convention.Annexes[0].Charter = null;
        var meeting = Scheduled(Now.AddDays(-1));
        meeting.State = Meeting.Types.State.Held;

        var error = Assert.Throws<FailedPreconditionException>(() => Governance.RecordDecision(convention, meeting, new Decision
        {
            DecisionId = "d1",
            ItemId = "charte",
            Outcome = Decision.Types.Outcome.Approved,
            ValidateCharter = new ValidateCharter { AnnexId = "annexe-1" },
        }));

        Assert.Equal("CHARTER_MISSING", error.Conditions.Single().Type);
    }

    [Fact]
    public void ADecision_NeedsAHeldMeeting_AndAnItemOfItsAgenda()
    {
        var meeting = Scheduled(Now.AddDays(-1));
        var decision = new Decision { DecisionId = "d1", ItemId = "other", Outcome = Decision.Types.Outcome.Approved };

        Assert.Equal("MEETING_NOT_HELD", Assert.Throws<FailedPreconditionException>(() => Governance.RecordDecision(Convention.Clone(), meeting, decision)).Conditions.Single().Type);
        meeting.State = Meeting.Types.State.Held;
        Assert.Equal("decision.itemId", Assert.Throws<InvalidArgumentException>(() => Governance.RecordDecision(Convention.Clone(), meeting, decision)).Violations.Single().Field);
    }

    [Fact]
    public void TheSameDecisionTwice_AlreadyExists()
    {
        var meeting = Scheduled(Now.AddDays(-1));
        meeting.State = Meeting.Types.State.Held;
        var decision = new Decision { DecisionId = "d1", ItemId = "charte", Outcome = Decision.Types.Outcome.Deferred };
        Governance.RecordDecision(Convention.Clone(), meeting, decision);

        Assert.Throws<AlreadyExistsException>(() => Governance.RecordDecision(Convention.Clone(), meeting, decision));
    }
}
