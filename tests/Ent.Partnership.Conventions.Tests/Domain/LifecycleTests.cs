using Ent.Partnership.Conventions.Domain;
using Ent.Partnership.Conventions.V1;
using Ent.Partnership.ServiceDefaults.Errors;
using Google.Protobuf.WellKnownTypes;
using static Ent.Partnership.Conventions.V1.Convention.Types;

namespace Ent.Partnership.Conventions.Tests.Domain;

public sealed class LifecycleTests
{
    private const string Academy = "parties/aca-strasbourg";
    private const string Region = "parties/region-grand-est";
    private const string BasRhin = "parties/dep-67";
    private const string Cea = "parties/cea";

    private static readonly DateOnly Today = new(2019, 12, 20);
    private static readonly Timestamp Now = Timestamp.FromDateTime(new DateTime(2019, 12, 20, 10, 0, 0, DateTimeKind.Utc));

    private readonly List<Deliberation> _deliberations = [];
    private readonly List<Signature> _signatures = [];

    private readonly Convention _convention = new()
    {
        Name = "conventions/test",
        Title = "Convention ENT",
        EffectiveDate = "2019-12-01",
        State = State.Draft,
        Signatories =
        {
            new Signatory { Party = Academy, Role = Signatory.Types.Role.AcademicAuthority },
            new Signatory { Party = Region, Role = Signatory.Types.Role.Coordinator, RequiresDeliberation = true },
            new Signatory { Party = BasRhin, Role = Signatory.Types.Role.Collectivity, RequiresDeliberation = true },
        },
        Annexes = { new Annex { AnnexId = "annexe-1", Kind = Annex.Types.Kind.UsageCharter, Charter = new UsageCharter { MaxTitleLength = 120 } } },
    };

    private ConventionFile File => new(_convention, _deliberations, _signatures, Succeeded.By(Cea, "2021-01-01", BasRhin));

    private static Deliberation Decision(string party, string date = "2019-12-02", Deliberation.Types.Outcome outcome = Deliberation.Types.Outcome.Adopted) => new()
    {
        Name = $"conventions/test/deliberations/{party[8..]}-{date}",
        Party = party,
        Stage = Deliberation.Types.Stage.Decision,
        Body = "Commission Permanente",
        Reference = "CP/2019/538",
        Date = date,
        Outcome = outcome,
    };

    private static Signature Signed(string party, string on = "2019-12-16") => new()
    {
        Name = "conventions/test/signatures/" + party[8..],
        Party = party,
        SignatoryName = "Frédéric Bierry",
        SignedOn = on,
    };

    private void Record(Deliberation deliberation)
    {
        Lifecycle.CheckDeliberation(File, deliberation, Today);
        _deliberations.Add(deliberation);
        Lifecycle.Advance(File, Today, Now);
    }

    private void Record(Signature signature)
    {
        Lifecycle.CheckSignature(File, signature, Today);
        _signatures.Add(signature);
        Lifecycle.Advance(File, Today, Now);
    }

    private void ToSignature()
    {
        Lifecycle.Submit(File, Today, Now);
        Record(Decision(Region));
        Record(Decision(BasRhin));
    }

    private static IEnumerable<(string Type, string Subject)> Conditions(Readiness readiness) =>
        readiness.UnmetConditions.Select(c => (c.Type, c.Subject));

    [Fact]
    public void Submit_FreezesTheDigest_AndOpensTheAdoption()
    {
        Lifecycle.Submit(File, Today, Now);

        Assert.Equal(State.Adoption, _convention.State);
        Assert.Equal(ContentDigest.Of(_convention), _convention.ContentDigest);
        Assert.Equal([State.Adoption], _convention.StateHistory.Select(h => h.State));
    }

    [Fact]
    public void Submit_GoesStraightToSignature_WhenNoSignatoryDeliberates()
    {
        foreach (var signatory in _convention.Signatories)
        {
            signatory.RequiresDeliberation = false;
        }

        Lifecycle.Submit(File, Today, Now);

        Assert.Equal(State.Signature, _convention.State);
    }

    [Fact]
    public void Submit_IsRefused_WhileTheCharterHasNoParameters()
    {
        _convention.Annexes[0].Charter = null;

        var error = Assert.Throws<FailedPreconditionException>(() => Lifecycle.Submit(File, Today, Now));

        Assert.Equal(("CHARTER_MISSING", "conventions/test"), (error.Conditions[0].Type, error.Conditions[0].Subject));
        Assert.Equal(State.Draft, _convention.State);
    }

    [Fact]
    public void Readiness_InAdoption_ListsExactlyThePartiesStillToDecide()
    {
        Lifecycle.Submit(File, Today, Now);
        Record(Decision(Region));

        var readiness = Lifecycle.ReadinessOf(File, Today);

        Assert.Equal((State.Adoption, State.Signature), (readiness.State, readiness.NextState));
        Assert.Equal([(Lifecycle.DeliberationMissing, BasRhin)], Conditions(readiness));
        Assert.All(readiness.UnmetConditions, c => Assert.True(c.Blocking));
    }

    [Fact]
    public void TheLastAdoptedDecision_OpensTheSignature()
    {
        ToSignature();

        Assert.Equal(State.Signature, _convention.State);
        var readiness = Lifecycle.ReadinessOf(File, Today);
        Assert.Equal(
            [(Lifecycle.SignatureMissing, Academy), (Lifecycle.SignatureMissing, Region), (Lifecycle.TransmissionMissing, Region),
             (Lifecycle.SignatureMissing, BasRhin), (Lifecycle.TransmissionMissing, BasRhin)],
            Conditions(readiness));
        Assert.All(readiness.UnmetConditions.Where(c => c.Type == Lifecycle.TransmissionMissing), c => Assert.False(c.Blocking));
    }

    [Fact]
    public void ARejectedDecision_BlocksUntilTheConventionIsReopened()
    {
        Lifecycle.Submit(File, Today, Now);
        Record(Decision(BasRhin, outcome: Deliberation.Types.Outcome.Rejected));

        var again = Assert.Throws<FailedPreconditionException>(() => Lifecycle.CheckDeliberation(File, Decision(BasRhin, "2019-12-10"), Today));
        Assert.Equal(Lifecycle.DeliberationRejected, again.Conditions.Single().Type);
        Assert.Contains((Lifecycle.DeliberationRejected, BasRhin), Conditions(Lifecycle.ReadinessOf(File, Today)));

        Lifecycle.Reopen(File, "Texte à revoir", Now);

        Assert.Equal(State.Draft, _convention.State);
        Assert.All(_deliberations, d => Assert.True(d.Superseded));
        Assert.Equal("Texte à revoir", _convention.StateHistory[^1].Reason);
        Lifecycle.Submit(File, Today, Now);
        Record(Decision(BasRhin, "2019-12-10"));
        Assert.DoesNotContain(Lifecycle.ReadinessOf(File, Today).UnmetConditions, c => c.Subject == BasRhin);
    }

    [Fact]
    public void ADecision_BeforeTheCommissionOpinion_IsRefused()
    {
        Lifecycle.Submit(File, Today, Now);
        Record(new Deliberation
        {
            Name = "conventions/test/deliberations/opinion",
            Party = BasRhin,
            Stage = Deliberation.Types.Stage.CommissionOpinion,
            Body = "Commission de l'Enfance, de la famille et de l'éducation",
            Date = "2019-11-18",
            Outcome = Deliberation.Types.Outcome.Favorable,
        });

        var error = Assert.Throws<FailedPreconditionException>(() => Lifecycle.CheckDeliberation(File, Decision(BasRhin, "2019-11-15"), Today));

        Assert.Equal(("DATES_OUT_OF_ORDER", BasRhin), (error.Conditions[0].Type, error.Conditions[0].Subject));
    }

    private static Deliberation Opinion(string party, string date) => new()
    {
        Name = $"conventions/test/deliberations/opinion-{date}",
        Party = party,
        Stage = Deliberation.Types.Stage.CommissionOpinion,
        Body = "Commission de l'Enfance, de la famille et de l'éducation",
        Date = date,
        Outcome = Deliberation.Types.Outcome.Favorable,
    };

    [Fact]
    public void ACommissionOpinion_DatedBeforeTheDecision_IsAcceptedWhenEnteredLate_AndChangesNoState()
    {
        ToSignature();
        Record(Opinion(BasRhin, "2019-11-28"));

        var afterTheDecision = Assert.Throws<FailedPreconditionException>(() => Lifecycle.CheckDeliberation(File, Opinion(BasRhin, "2019-12-05"), Today));

        Assert.Equal(State.Signature, _convention.State);
        Assert.Equal(("DATES_OUT_OF_ORDER", BasRhin), (afterTheDecision.Conditions[0].Type, afterTheDecision.Conditions[0].Subject));
    }

    [Theory]
    [InlineData(Deliberation.Types.Outcome.Adopted, 0, 30)]
    [InlineData(Deliberation.Types.Outcome.Adopted, 15, 15)]
    [InlineData(Deliberation.Types.Outcome.Rejected, 30, 2)]
    public void ADecision_WhoseVotesContradictItsOutcome_IsRefused(Deliberation.Types.Outcome outcome, int votesFor, int against)
    {
        Lifecycle.Submit(File, Today, Now);
        var decision = Decision(BasRhin, outcome: outcome);
        decision.Votes = new Votes { For = votesFor, Against = against };

        var error = Assert.Throws<InvalidArgumentException>(() => Lifecycle.CheckDeliberation(File, decision, Today));

        Assert.Equal("votes", error.Violations.Single().Field);
    }

    [Fact]
    public void ADeliberation_OnAnotherText_IsRefused()
    {
        Lifecycle.Submit(File, Today, Now);
        var stale = Decision(BasRhin);
        stale.ContentDigest = new string('0', 64);

        var error = Assert.Throws<FailedPreconditionException>(() => Lifecycle.CheckDeliberation(File, stale, Today));

        Assert.Equal("DIGEST_MISMATCH", error.Conditions[0].Type);
    }

    [Fact]
    public void ADeliberation_OfASignatoryThatDoesNotDeliberate_IsRefused()
    {
        Lifecycle.Submit(File, Today, Now);

        var error = Assert.Throws<FailedPreconditionException>(() => Lifecycle.CheckDeliberation(File, Decision(Academy), Today));

        Assert.Equal(("NOT_A_DELIBERATING_SIGNATORY", Academy), (error.Conditions[0].Type, error.Conditions[0].Subject));
    }

    [Fact]
    public void ASecondDecision_OfAParty_AlreadyExists()
    {
        Lifecycle.Submit(File, Today, Now);
        Record(Decision(BasRhin));

        Assert.Throws<AlreadyExistsException>(() => Lifecycle.CheckDeliberation(File, Decision(BasRhin, "2019-12-03"), Today));
    }

    [Fact]
    public void ASignature_BeforeThePartysDecision_IsRefused()
    {
        ToSignature();

        var error = Assert.Throws<FailedPreconditionException>(() => Lifecycle.CheckSignature(File, Signed(BasRhin, "2019-12-01"), Today));

        Assert.Equal(("DATES_OUT_OF_ORDER", BasRhin), (error.Conditions[0].Type, error.Conditions[0].Subject));
    }

    [Fact]
    public void ASecondSignature_AlreadyExists()
    {
        ToSignature();
        Record(Signed(Academy));

        Assert.Throws<AlreadyExistsException>(() => Lifecycle.CheckSignature(File, Signed(Academy), Today));
    }

    [Fact]
    public void ASignature_ByAPartyThatIsNoSignatory_IsRefused()
    {
        ToSignature();

        var error = Assert.Throws<FailedPreconditionException>(() => Lifecycle.CheckSignature(File, Signed("parties/dep-57"), Today));

        Assert.Equal("NOT_A_SIGNATORY", error.Conditions[0].Type);
    }

    [Fact]
    public void TheLastSignature_PutsTheConventionInForce_WhenItsEffectiveDateHasPassed()
    {
        ToSignature();
        Record(Signed(Academy));
        Record(Signed(Region));
        Record(Signed(BasRhin));

        Assert.Equal(State.InForce, _convention.State);
        Assert.Equal([State.Adoption, State.Signature, State.Signed, State.InForce], _convention.StateHistory.Select(h => h.State));
    }

    [Fact]
    public void ASignedConvention_WaitsForItsEffectiveDate_ThenExpiresAfterItsEndDate()
    {
        _convention.EffectiveDate = "2020-01-01";
        _convention.EndDate = "2020-12-31";
        ToSignature();
        Record(Signed(Academy));
        Record(Signed(Region));
        Record(Signed(BasRhin));

        Assert.Equal(State.Signed, _convention.State);
        Assert.Equal([(Lifecycle.EffectiveDateNotReached, "conventions/test")], Conditions(Lifecycle.ReadinessOf(File, Today)));
        Assert.Equal([State.InForce], Lifecycle.Advance(File, new DateOnly(2020, 1, 1), Now));
        Assert.Empty(Lifecycle.Advance(File, new DateOnly(2020, 12, 31), Now));
        Assert.Equal([State.Expired], Lifecycle.Advance(File, new DateOnly(2021, 1, 1), Now));
        Assert.Empty(Lifecycle.Advance(File, new DateOnly(2021, 1, 2), Now));
    }

    [Fact]
    public void TheSuccessor_SignsInThePlaceOfItsPredecessor()
    {
        ToSignature();
        Record(Signed(Cea));

        Assert.DoesNotContain(Lifecycle.ReadinessOf(File, Today).UnmetConditions, c => c.Subject == BasRhin && c.Type == Lifecycle.SignatureMissing);
    }

    [Fact]
    public void TheSuccessor_DeliberatesInThePlaceOfItsPredecessor_AndThePredecessorsDecisionStaysItsOwn()
    {
        Lifecycle.Submit(File, Today, Now);
        Record(Decision(Region));
        Record(Decision(Cea));

        Assert.Equal(State.Signature, _convention.State);
        Assert.Equal(Cea, File.AdoptedDecisionFor(BasRhin)!.Party);
    }

    [Fact]
    public void ATerminationDatedLater_IsScheduled_AndTakesEffectOnItsDay()
    {
        _convention.State = State.InForce;

        var endedAtOnce = Lifecycle.Terminate(_convention, "Fin du partenariat", Today.AddDays(30), Today, Now);
        var dayBefore = Lifecycle.Advance(File, Today.AddDays(29), Now);
        var onTheDay = Lifecycle.Advance(File, Today.AddDays(30), Now);

        Assert.False(endedAtOnce);
        Assert.Empty(dayBefore);
        Assert.Equal([State.Terminated], onTheDay);
        Assert.Equal(("2020-01-19", "Fin du partenariat"), (_convention.Termination.EffectiveDate, _convention.StateHistory[^1].Reason));
    }

    [Fact]
    public void ATerminationDatedToday_EndsTheConventionAtOnce_InAnyStateBeforeItsEnd()
    {
        _convention.State = State.Adoption;

        Assert.True(Lifecycle.Terminate(_convention, "Abandon", Today, Today, Now));
        Assert.Equal(State.Terminated, _convention.State);
    }

    [Theory]
    [InlineData(State.InForce, -1, "", "effectiveDate")]
    [InlineData(State.Adoption, 1, "", "effectiveDate")]
    [InlineData(State.InForce, 400, "2020-12-31", "AFTER_END_DATE")]
    [InlineData(State.Terminated, 0, "", "WRONG_STATE")]
    public void ATermination_IsRefused_BackdatedAfterTheEndOrLaterBeforeSignature(State state, int days, string endDate, string refusal)
    {
        _convention.State = state;
        _convention.EndDate = endDate;

        var error = Xunit.Record.Exception(() => Lifecycle.Terminate(_convention, "motif", Today.AddDays(days), Today, Now));

        var named = error switch
        {
            InvalidArgumentException invalid => invalid.Violations.Single().Field,
            FailedPreconditionException failed => failed.Conditions.Single().Type,
            _ => error?.GetType().Name,
        };
        Assert.Equal(refusal, named);
        Assert.Null(_convention.Termination);
    }

    [Fact]
    public void CancellingATermination_NeedsOneScheduled()
    {
        _convention.State = State.InForce;
        var none = Assert.Throws<FailedPreconditionException>(() => Lifecycle.CancelTermination(_convention));
        Lifecycle.Terminate(_convention, "motif", Today.AddDays(3), Today, Now);

        Lifecycle.CancelTermination(_convention);

        Assert.Equal("NO_TERMINATION_SCHEDULED", none.Conditions.Single().Type);
        Assert.Null(_convention.Termination);
        Assert.Empty(Lifecycle.Advance(File, Today.AddDays(10), Now));
    }

    public static TheoryData<State, string, bool> Transitions()
    {
        var data = new TheoryData<State, string, bool>();
        foreach (var state in new[] { State.Draft, State.Adoption, State.Signature, State.Signed, State.InForce, State.Expired, State.Terminated })
        {
            data.Add(state, "submit", state == State.Draft);
            data.Add(state, "reopen", state is State.Adoption or State.Signature);
            data.Add(state, "terminate", state is not (State.Expired or State.Terminated));
            data.Add(state, "deliberate", state == State.Adoption);
            data.Add(state, "sign", state == State.Signature);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Transitions))]
    public void EachStep_IsAllowedInItsStatesOnly(State state, string step, bool allowed)
    {
        _convention.State = state;
        _convention.ContentDigest = ContentDigest.Of(_convention);
        Action act = step switch
        {
            "submit" => () => Lifecycle.Submit(File, Today, Now),
            "reopen" => () => Lifecycle.Reopen(File, "motif", Now),
            "terminate" => () => Lifecycle.Terminate(_convention, "motif", Now),
            "deliberate" => () => Lifecycle.CheckDeliberation(File, Decision(BasRhin), Today),
            _ => () => Lifecycle.CheckSignature(File, Signed(Academy), Today),
        };

        var error = Xunit.Record.Exception(act);

        if (allowed)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.Equal("WRONG_STATE", Assert.IsType<FailedPreconditionException>(error).Conditions.Single().Type);
        }
    }
}
