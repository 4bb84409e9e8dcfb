using Ent.Partnership.Conventions.Domain;
using Ent.Partnership.Conventions.V1;
using Ent.Partnership.ServiceDefaults.Errors;
using Google.Protobuf.WellKnownTypes;
using static Ent.Partnership.Conventions.V1.Convention.Types;

namespace Ent.Partnership.Conventions.Tests.Domain;

public sealed class AmendmentsTests
{
    private static readonly Timestamp Now = Timestamp.FromDateTime(new DateTime(2022, 1, 10, 9, 0, 0, DateTimeKind.Utc));
    private static readonly DateOnly Today = new(2022, 1, 10);

    private static Convention InForce()
    {
        var convention = new Convention
        {
            Name = "conventions/c",
            Title = "Convention",
            EffectiveDate = "2019-12-01",
            State = State.InForce,
            Revision = 1,
            Signatories = { new Signatory { Party = "parties/aca-strasbourg", Role = Signatory.Types.Role.AcademicAuthority } },
            Articles =
            {
                new Article { Number = "5", Title = "Assistance", Clauses = { new Clause { Obligation = new ObligationClause { ClauseId = "art5", ObligorRole = Signatory.Types.Role.AcademicAuthority, Kind = ObligationClause.Types.Kind.Assistance, Metric = ObligationClause.Types.Metric.TicketsWithinSlaPercent, Target = 90, Recurrence = ObligationClause.Types.Recurrence.PerSchoolYear } } } },
                new Article { Number = "8", Title = "Suivi" },
            },
            Annexes = { new Annex { AnnexId = "annexe-1", Kind = Annex.Types.Kind.UsageCharter, Charter = new UsageCharter { MaxBodyLength = 4000 } } },
        };
        convention.ContentDigest = ContentDigest.Of(convention);
        convention.CharterStatus = new CharterStatus { AnnexId = "annexe-1", AnnexDigest = ContentDigest.Of(convention.Annexes[0]) };
        return convention;
    }

    private static Amendment Changing(Action<AmendmentChanges> change)
    {
        var amendment = new Amendment { Name = "conventions/c/amendments/a1", Title = "Avenant n° 1", Changes = new AmendmentChanges(), BaseRevision = 1, State = Amendment.Types.State.Draft };
        change(amendment.Changes);
        return amendment;
    }

    [Fact]
    public void Apply_ChangesTheContent_AndTheRevisionAndDigest()
    {
        var convention = InForce();
        var digest = convention.ContentDigest;
        var article = new Article { Number = "5", Title = "Assistance renforcée", Clauses = { convention.Articles[0].Clauses[0].Clone() } };
        article.Clauses[0].Obligation.Target = 95;

        var amended = Amendments.Apply(convention, Changing(c =>
        {
            c.UpsertArticles.Add(article);
            c.RemoveArticleNumbers.Add("8");
            c.NewEndDate = "2025-08-31";
        }), Now);

        Assert.Equal(2, convention.Revision);
        Assert.NotEqual(digest, convention.ContentDigest);
        Assert.Equal(["5"], convention.Articles.Select(a => a.Number));
        Assert.Equal("2025-08-31", convention.EndDate);
        Assert.Equal(["5"], amended.ChangedArticles);
        Assert.Equal(["8"], amended.RemovedArticles);
        Assert.Equal(["art5"], amended.ChangedClauses);
        Assert.False(amended.CharterValidationCleared);
        Assert.NotNull(convention.CharterStatus);
    }

    [Fact]
    public void Apply_ClearsTheCharterValidation_WhenTheCharterAnnexChanges()
    {
        var convention = InForce();
        var annex = convention.Annexes[0].Clone();
        annex.Charter.MaxBodyLength = 2000;

        var amended = Amendments.Apply(convention, Changing(c => c.UpsertAnnexes.Add(annex)), Now);

        Assert.True(amended.CharterValidationCleared);
        Assert.Null(convention.CharterStatus);
    }

    [Fact]
    public void AnAmendment_IsRefused_UnlessTheConventionIsInForce()
    {
        var convention = InForce();
        convention.State = State.Signed;

        var error = Assert.Throws<FailedPreconditionException>(() => Amendments.CheckNew(convention, Changing(c => c.NewEndDate = "2025-08-31"), Today));

        Assert.Equal("WRONG_STATE", error.Conditions.Single().Type);
    }

    [Fact]
    public void AnAmendment_IsRefused_WhenItsResultIsNotAValidConvention()
    {
        var error = Assert.Throws<InvalidArgumentException>(() => Amendments.CheckNew(InForce(), Changing(c =>
        {
            c.NewEndDate = "2018-01-01";
            c.RemoveArticleNumbers.Add("12");
        }), Today));

        Assert.Equal(["changes (endDate)", "changes.removeArticleNumbers"], error.Violations.Select(v => v.Field));
    }

    [Fact]
    public void AnAmendment_FollowsTheConventionsPath_UntilItIsSigned()
    {
        var convention = InForce();
        convention.Signatories.Add(new Signatory { Party = "parties/dep-67", Role = Signatory.Types.Role.Collectivity, RequiresDeliberation = true });
        var amendment = Changing(c => c.NewEndDate = "2025-08-31");
        var today = new DateOnly(2022, 1, 10);
        var view = Amendments.AsConvention(amendment, convention);
        var file = new ConventionFile(view, [], [], Succeeded.By("parties/cea", "2021-01-01", "parties/dep-67"));

        Lifecycle.Submit(file, today, Now);
        Amendments.TakeState(amendment, view);
        Assert.Equal((Amendment.Types.State.Adoption, Amendments.Digest(amendment)), (amendment.State, amendment.ContentDigest));

        var decision = new Deliberation { Name = "d", Party = "parties/cea", Stage = Deliberation.Types.Stage.Decision, Body = "Commission permanente", Reference = "CP/2022/1", Date = "2022-01-05", Outcome = Deliberation.Types.Outcome.Adopted };
        Lifecycle.CheckDeliberation(file, decision, today);
        file = file with { Deliberations = [decision] };
        Lifecycle.Advance(file, today, Now);
        file = file with { Signatures = [new Signature { Party = "parties/aca-strasbourg", SignedOn = "2022-01-06" }, new Signature { Party = "parties/cea", SignedOn = "2022-01-07" }] };
        Lifecycle.Advance(file, today, Now);
        Amendments.TakeState(amendment, view);

        Assert.Equal(Amendment.Types.State.Signed, amendment.State);
    }

    [Theory]
    [InlineData("2022-01-09", "")]
    [InlineData("2025-09-01", "2025-08-31")]
    [InlineData("2022-02-30", "")]
    public void AnAmendmentsEffectiveDate_IsRefused_PastOrAfterTheConventionsEnd(string effectiveDate, string endDate)
    {
        var convention = InForce();
        convention.EndDate = endDate;
        var amendment = Changing(c => c.RemoveArticleNumbers.Add("8"));
        amendment.EffectiveDate = effectiveDate;

        var error = Assert.Throws<InvalidArgumentException>(() => Amendments.CheckNew(convention, amendment, Today));

        Assert.Equal(["effectiveDate"], error.Violations.Select(v => v.Field));
    }

    [Fact]
    public void ASignedAmendment_AppliesOnItsEffectiveDate_ByDefaultAndAtTheEarliestTheDayOfItsLastSignature()
    {
        var amendment = Changing(c => c.RemoveArticleNumbers.Add("8"));

        Assert.Equal(Today, Amendments.EffectiveOn(amendment, Today));
        amendment.EffectiveDate = "2022-03-01";
        Assert.Equal(new DateOnly(2022, 3, 1), Amendments.EffectiveOn(amendment, Today));
        Assert.Equal(new DateOnly(2022, 4, 1), Amendments.EffectiveOn(amendment, new DateOnly(2022, 4, 1)));
    }

    [Fact]
    public void EditingTheCharterAnnex_ClearsItsValidation()
    {
        var convention = InForce();
        var untouched = Amendments.ClearStaleCharterValidation(convention);
        convention.Annexes[0].Charter.MaxBodyLength = 2000;

        Assert.False(untouched);
        Assert.True(Amendments.ClearStaleCharterValidation(convention));
        Assert.Null(convention.CharterStatus);
    }
}
