using Ent.Partnership.Parties.Domain;
using Ent.Partnership.Parties.V1;
using static Ent.Partnership.Parties.V1.Membership.Types;

namespace Ent.Partnership.Parties.Tests.Domain;

public sealed class GroupCoordinationTests
{
    private static Membership Member(string id, Role role, string joined, string left = "") =>
        new() { Name = "parties/g/memberships/" + id, Member = "parties/" + id, Role = role, JoinedOn = joined, LeftOn = left };

    private static readonly Membership[] Group =
    [
        Member("region", Role.Coordinator, "2017-11-06"),
        Member("dep-08", Role.Member, "2017-11-06"),
        Member("dep-51", Role.Member, "2018-01-01"),
    ];

    [Fact]
    public void AGroupWithOneCoordinator_AtEveryDate_BreaksNothing() =>
        Assert.Empty(GroupCoordination.BreachesOf(Group));

    [Fact]
    public void AMemberLeaving_BreaksNothing()
    {
        var left = Group.Select(m => m.Member == "parties/dep-51" ? Member("dep-51", Role.Member, "2018-01-01", "2024-06-30") : m);

        Assert.Empty(GroupCoordination.Added(Group, left));
    }

    [Fact]
    public void TheCoordinatorLeaving_LeavesTheGroupWithoutOne_FromTheNextDay()
    {
        var left = Group.Select(m => m.Member == "parties/region" ? Member("region", Role.Coordinator, "2017-11-06", "2024-06-30") : m);

        Assert.Equal(["Le groupement n'aurait pas de coordonnateur à partir du 2024-07-01."], GroupCoordination.Added(Group, left));
    }

    [Fact]
    public void ASecondCoordinator_IsABreach_OverTheDaysBothCoordinate()
    {
        var second = Group.Select(m => m.Member == "parties/dep-51" ? Member("dep-51", Role.Coordinator, "2018-01-01") : m);

        Assert.Equal(["Le groupement aurait 2 coordonnateurs à partir du 2018-01-01."], GroupCoordination.Added(Group, second));
    }

    [Fact]
    public void ACoordinatorHandingOver_OnTheDayAfterLeaving_BreaksNothing()
    {
        var handover = new[] { Member("region", Role.Coordinator, "2017-11-06", "2024-06-30"), Member("dep-08", Role.Coordinator, "2024-07-01") };

        Assert.Empty(GroupCoordination.BreachesOf(handover));
    }
}
