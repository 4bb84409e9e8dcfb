using Ent.Partnership.Conventions.Domain;
using Ent.Partnership.Conventions.V1;
using static Ent.Partnership.Conventions.V1.Convention.Types;

namespace Ent.Partnership.Conventions.Tests.Domain;

public sealed class ContentDigestTests
{
    private static Convention Sample() => new()
    {
        Name = "conventions/a",
        Title = "Convention ENT",
        EffectiveDate = "2019-12-01",
        Signatories = { new Signatory { Party = "parties/dep-67", Role = Signatory.Types.Role.Collectivity, RequiresDeliberation = true } },
        Articles = { new Article { Number = "9", Title = "Communication", Text = "Les collectivités peuvent…" } },
    };

    [Fact]
    public void TheDigest_IsSha256Hex() => Assert.Matches("^[0-9a-f]{64}$", ContentDigest.Of(Sample()));

    [Fact]
    public void TheDigest_IgnoresWhatIsNotContent()
    {
        var other = Sample();
        other.Name = "conventions/b";
        other.State = State.InForce;
        other.Revision = 3;
        other.Etag = "v9";
        other.StateHistory.Add(new StateChange { State = State.InForce });

        Assert.Equal(ContentDigest.Of(Sample()), ContentDigest.Of(other));
    }

    [Fact]
    public void TheDigest_ChangesWithAnyWordOfTheText()
    {
        var other = Sample();
        other.Articles[0].Text = "Les collectivités peuvent.";

        Assert.NotEqual(ContentDigest.Of(Sample()), ContentDigest.Of(other));
    }
}
