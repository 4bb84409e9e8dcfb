using Ent.Partnership.Conventions.Domain;
using Ent.Partnership.Conventions.V1;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Identity;
using Stage = Ent.Partnership.Conventions.V1.Deliberation.Types.Stage;
using Outcome = Ent.Partnership.Conventions.V1.Deliberation.Types.Outcome;

namespace Ent.Partnership.Conventions.Tests.Domain;

public sealed class RecordRulesTests
{
    private static readonly DateOnly Today = new(2026, 12, 2);

    private static readonly Caller Moselle = new("parties/dep-57", new HashSet<string> { RoleNames.Collectivity }, null);
    private static readonly Caller Admin = new(null, new HashSet<string> { RoleNames.Admin }, null);

    private static Deliberation Decision() => new()
    {
        Stage = Stage.Decision,
        Outcome = Outcome.Adopted,
        Body = "Commission Permanente",
        Reference = "CP/2019/538",
        Date = "2019-12-02",
    };

    private static IEnumerable<string> FieldsRefused(Action check) =>
        Assert.Throws<InvalidArgumentException>(check).Violations.Select(v => v.Field);

    [Fact]
    public void ADecisionAsTheCouncilTookIt_IsRecorded() => RecordRules.CheckDeliberation(Decision(), Today);

    [Fact]
    public void ADeliberation_NamesEveryMissingField_AtOnce()
    {
        var empty = new Deliberation { Stage = Stage.Decision, Outcome = Outcome.Favorable, Votes = new Votes { For = -1 } };

        Assert.Equal(["outcome", "body", "reference", "date", "votes"], FieldsRefused(() => RecordRules.CheckDeliberation(empty, Today)));
    }

    [Fact]
    public void AnOpinion_NeedsNoReference_ButAnOpinionsOutcome()
    {
        var opinion = Decision();
        opinion.Stage = Stage.CommissionOpinion;
        opinion.Reference = "";

        Assert.Equal(["outcome"], FieldsRefused(() => RecordRules.CheckDeliberation(opinion, Today)));
        opinion.Outcome = Outcome.Favorable;
        RecordRules.CheckDeliberation(opinion, Today);
    }

    [Theory]
    [InlineData("2026-12-02", true)]
    [InlineData("2026-12-03", false)]
    [InlineData("02/12/2026", false)]
    public void ASignature_IsAFactAccomplished_TodayAtTheLatest(string signedOn, bool recorded)
    {
        var signature = new Signature { SignatoryName = "Jean Rottner", SignedOn = signedOn };

        if (recorded)
        {
            RecordRules.CheckSignature(signature, Today);
        }
        else
        {
            Assert.Equal(["signedOn"], FieldsRefused(() => RecordRules.CheckSignature(signature, Today)));
        }
    }

    [Fact]
    public void APartyRecordsForItself_AndAnAdminForAnyParty()
    {
        Assert.Equal("parties/dep-57", RecordRules.ActingParty(Moselle, "", "signer"));
        Assert.Equal("parties/cea", RecordRules.ActingParty(Admin, "parties/cea", "signer"));
        Assert.Throws<PermissionDeniedException>(() => RecordRules.ActingParty(Moselle, "parties/cea", "signer"));
        Assert.Equal(["party"], FieldsRefused(() => RecordRules.ActingParty(Admin, "", "signer")));
    }
}
