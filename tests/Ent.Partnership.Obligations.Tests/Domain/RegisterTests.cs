using Ent.Partnership.Conventions.V1;
using Ent.Partnership.Obligations.Domain;
using Ent.Partnership.Obligations.V1;
using Ent.Partnership.Parties.V1;
using static Ent.Partnership.Conventions.V1.ObligationClause.Types;
using static Ent.Partnership.Obligations.V1.Obligation.Types;

namespace Ent.Partnership.Obligations.Tests.Domain;

/// <summary>The register against a convention's revisions: what an amendment, a replay or the clock changes.</summary>
public sealed class RegisterTests
{
    private static readonly DateOnly Today = new(2026, 12, 2);
    private static readonly Dictionary<string, Succession> NoSuccessions = [];

    private static Convention Revision1() => new()
    {
        Name = "conventions/c",
        Revision = 1,
        EffectiveDate = "2024-09-01",
        EndDate = "2028-08-31",
        Signatories =
        {
            new Signatory { Party = "parties/aca-reims", Role = Signatory.Types.Role.AcademicAuthority },
            new Signatory { Party = "parties/dep-51", Role = Signatory.Types.Role.Collectivity },
            new Signatory { Party = "parties/dep-52", Role = Signatory.Types.Role.Collectivity },
        },
        Articles =
        {
            new Article { Number = "4", Clauses = { Clause("training", Signatory.Types.Role.AcademicAuthority, Kind.Training, Metric.Sessions, 6) } },
            new Article { Number = "6", Clauses = { Clause("financing", Signatory.Types.Role.Collectivity, Kind.Financing, Metric.AmountCents, 5000) } },
        },
    };

    private static Clause Clause(string id, Signatory.Types.Role role, Kind kind, Metric metric, long target) =>
        new() { Obligation = new ObligationClause { ClauseId = id, ObligorRole = role, Kind = kind, Metric = metric, Target = target, Recurrence = Recurrence.PerSchoolYear } };

    /// <summary>The register as planning <paramref name="convention"/> on its coming into force left it.</summary>
    private static List<Obligation> HeldAfterComingIntoForce(Convention convention) =>
        Register.Reconcile(ObligationPlanner.Plan(convention, Today, NoSuccessions), [], DateOnly.MinValue).Created.ToList();

    private static Convention Amended(Action<Convention> change)
    {
        var convention = Revision1();
        change(convention);
        convention.Revision = 2;
        return convention;
    }

    [Fact]
    public void ComingIntoForce_MakesEveryPeriod_AndPlanningAgainMakesNothing()
    {
        var held = HeldAfterComingIntoForce(Revision1());

        Assert.Equal(12, held.Count);
        Assert.True(Register.Reconcile(ObligationPlanner.Plan(Revision1(), Today, NoSuccessions), held, DateOnly.MinValue).IsEmpty);
    }

    [Fact]
    public void ANewRevision_ChangingNothingForASlot_LeavesItsObligationsAsTheyAre()
    {
        var held = HeldAfterComingIntoForce(Revision1());
        var revision2 = Amended(c => c.Title = "Nouveau titre");

        var changes = Register.Reconcile(ObligationPlanner.Plan(revision2, Today, NoSuccessions), held, Today);

        Assert.True(changes.IsEmpty);
    }

    [Fact]
    public void AnAmendedTarget_SupersedesOnlyThePeriodsNotEndedOnItsEffectiveDate_WithNewNames()
    {
        var held = HeldAfterComingIntoForce(Revision1());
        var revision2 = Amended(c => c.Articles[0].Clauses[0].Obligation.Target = 9);

        var changes = Register.Reconcile(ObligationPlanner.Plan(revision2, Today, NoSuccessions), held, Today);

        Assert.Empty(changes.Created);
        Assert.Empty(changes.Removed);
        Assert.Equal(["2026-09-01", "2027-09-01"], changes.Superseded.Select(s => s.Old.Period.StartDate));
        Assert.All(changes.Superseded, s =>
        {
            Assert.Equal(s.Old.Name, s.New.Supersedes);
            Assert.NotEqual(s.Old.Name, s.New.Name);
            Assert.Equal((9L, 2, "training"), (s.New.Target, s.New.ConventionRevision, s.New.ClauseId));
        });
    }

    [Fact]
    public void OneDepartementsTargetChange_SupersedesOnlyThatDepartementsObligations()
    {
        var held = HeldAfterComingIntoForce(Revision1());
        var revision2 = Amended(c => c.Articles[1].Clauses[0].Obligation.PartyTargets.Add(new PartyTarget { Party = "parties/dep-52", Target = 8000 }));

        var changes = Register.Reconcile(ObligationPlanner.Plan(revision2, Today, NoSuccessions), held, Today);

        Assert.Equal([("parties/dep-52", 8000L), ("parties/dep-52", 8000L)], changes.Superseded.Select(s => (s.New.Signatory, s.New.Target)));
    }

    [Fact]
    public void AnAddedSignatory_OwesFromThePeriodRunningOnTheEffectiveDate_NeverEarlier()
    {
        var held = HeldAfterComingIntoForce(Revision1());
        var revision2 = Amended(c => c.Signatories.Add(new Signatory { Party = "parties/dep-08", Role = Signatory.Types.Role.Collectivity }));

        var changes = Register.Reconcile(ObligationPlanner.Plan(revision2, Today, NoSuccessions), held, Today);

        Assert.Equal([("parties/dep-08", "2026-09-01"), ("parties/dep-08", "2027-09-01")], changes.Created.Select(o => (o.Obligor, o.Period.StartDate)));
        Assert.Empty(changes.Superseded);
    }

    [Fact]
    public void ARemovedSignatoryOrClause_HasItsPeriodsNotEndedOnTheEffectiveDate_Removed()
    {
        var held = HeldAfterComingIntoForce(Revision1());
        var revision2 = Amended(c =>
        {
            c.Signatories.RemoveAt(2);
            c.Articles.RemoveAt(0);
        });

        var changes = Register.Reconcile(ObligationPlanner.Plan(revision2, Today, NoSuccessions), held, Today);

        Assert.Equal(
            [("financing", "parties/dep-52", "2026-09-01"), ("financing", "parties/dep-52", "2027-09-01"), ("training", "parties/aca-reims", "2026-09-01"), ("training", "parties/aca-reims", "2027-09-01")],
            changes.Removed.Select(o => (o.ClauseId, o.Signatory, o.Period.StartDate)).Order());
    }

    [Fact]
    public void AnEarlierEndDate_RemovesThePeriodsPastIt_AndALaterOnePlansTheNewOnes()
    {
        var held = HeldAfterComingIntoForce(Revision1());

        var earlier = Register.Reconcile(ObligationPlanner.Plan(Amended(c => c.EndDate = "2027-08-31"), Today, NoSuccessions), held, Today);
        var later = Register.Reconcile(ObligationPlanner.Plan(Amended(c => c.EndDate = "2029-08-31"), Today, NoSuccessions), held, Today);

        Assert.Equal(3, earlier.Removed.Count);
        Assert.All(earlier.Removed, o => Assert.Equal("2027-09-01", o.Period.StartDate));
        Assert.Equal(3, later.Created.Count);
        Assert.All(later.Created, o => Assert.Equal("2028-09-01", o.Period.StartDate));
    }

    [Fact]
    public void SettledWaivedAndSupersededObligations_AreNotChangedByAnAmendment()
    {
        var held = HeldAfterComingIntoForce(Revision1());
        foreach (var obligation in held.Where(o => o.ClauseId == "training"))
        {
            obligation.Status = Status.Waived;
        }

        var changes = Register.Reconcile(ObligationPlanner.Plan(Amended(c => c.Articles[0].Clauses[0].Obligation.Target = 9), Today, NoSuccessions), held, Today);

        Assert.True(changes.IsEmpty);
    }

    [Fact]
    public void TheOldPlannersDuplicates_KeepTheOneWithEvidence_ElseTheOldest()
    {
        var older = new Obligation { Name = "obligations/o-older", CreateTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(new DateTime(2024, 9, 1, 0, 0, 0, DateTimeKind.Utc)) };
        var newer = new Obligation { Name = "obligations/o-newer", CreateTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(new DateTime(2025, 9, 1, 0, 0, 0, DateTimeKind.Utc)) };

        Assert.Equal(older.Name, Register.KeeperOf([newer, older], new HashSet<string>()).Name);
        Assert.Equal(newer.Name, Register.KeeperOf([older, newer], new HashSet<string> { newer.Name }).Name);
    }

    [Fact]
    public void AnObligationStoredWithoutItsSlot_GetsTheSlotItsNameWasMadeFrom()
    {
        var planned = ObligationPlanner.Plan(Revision1(), Today, new Dictionary<string, Succession> { ["parties/dep-51"] = ObligationPlannerTests.Succeeded("parties/dep-51", "parties/dep-08", "2025-01-01") });
        var successorsPart = planned.First(o => o.Obligor == "parties/dep-08").Clone();
        successorsPart.Signatory = "";

        Assert.Equal("parties/dep-51", ObligationPlanner.SlotOf(successorsPart, Revision1().Signatories.Select(s => s.Party)));
    }

    [Fact]
    public void AOnceObligation_IsDueOnItsClausesDueDate_ElseTheEndDate_ElseAtTheEndOfTheFirstSchoolYear()
    {
        var clause = new ObligationClause { Recurrence = Recurrence.Once };
        var effective = new DateOnly(2024, 12, 1);

        Assert.Equal(new DateOnly(2028, 8, 31), ObligationPlanner.DueOfOnce(clause, effective, new DateOnly(2028, 8, 31)));
        Assert.Equal(new DateOnly(2025, 8, 31), ObligationPlanner.DueOfOnce(clause, effective, null));
        clause.DueDate = "2025-03-31";
        Assert.Equal(new DateOnly(2025, 3, 31), ObligationPlanner.DueOfOnce(clause, effective, null));
    }
}
