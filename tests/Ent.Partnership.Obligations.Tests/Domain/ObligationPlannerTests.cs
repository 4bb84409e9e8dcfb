using Ent.Partnership.Conventions.V1;
using Ent.Partnership.Obligations.Domain;
using Ent.Partnership.Parties.V1;
using static Ent.Partnership.Conventions.V1.ObligationClause.Types;

namespace Ent.Partnership.Obligations.Tests.Domain;

public sealed class ObligationPlannerTests
{
    private static readonly DateOnly Today = new(2021, 11, 15);

    private static readonly Dictionary<string, Succession> CeaSucceeds = new()
    {
        ["parties/dep-67"] = Succeeded("parties/dep-67", "parties/cea", "2021-01-01"),
        ["parties/dep-68"] = Succeeded("parties/dep-68", "parties/cea", "2021-01-01"),
    };

    /// <summary>The parties service's answer for a party that one successor took over.</summary>
    public static Succession Succeeded(string party, string successor, string from) => new()
    {
        Party = party,
        Holder = party,
        Steps = { new SuccessionStep { Predecessor = party, Successor = successor, EffectiveDate = from } },
    };

    private static Convention Convention(string endDate = "") => new()
    {
        Name = "conventions/mbn",
        Revision = 1,
        EffectiveDate = "2019-12-01",
        EndDate = endDate,
        Signatories =
        {
            new Signatory { Party = "parties/aca-strasbourg", Role = Signatory.Types.Role.AcademicAuthority },
            new Signatory { Party = "parties/dep-67", Role = Signatory.Types.Role.Collectivity },
            new Signatory { Party = "parties/dep-68", Role = Signatory.Types.Role.Collectivity },
        },
        Articles =
        {
            new Article
            {
                Number = "4",
                Clauses = { new Clause { Obligation = new ObligationClause { ClauseId = "training", ObligorRole = Signatory.Types.Role.AcademicAuthority, Kind = Kind.Training, Metric = Metric.Sessions, Target = 10, Recurrence = Recurrence.PerSchoolYear } } },
            },
            new Article
            {
                Number = "6",
                Clauses =
                {
                    new Clause
                    {
                        Obligation = new ObligationClause
                        {
                            ClauseId = "financing", ObligorRole = Signatory.Types.Role.Collectivity, Kind = Kind.Financing, Metric = Metric.AmountCents, Target = 100,
                            Recurrence = Recurrence.PerSchoolYear, PartyTargets = { new PartyTarget { Party = "parties/dep-67", Target = 7000000 } },
                        },
                    },
                },
            },
        },
    };

    [Fact]
    public void Plan_MakesOneObligationPerObligorAndSchoolYear_FromTheEffectiveDatesYear_ToTheNextSchoolYear()
    {
        var training = ObligationPlanner.Plan(Convention(), Today, CeaSucceeds).Where(o => o.ClauseId == "training").ToList();

        Assert.Equal(["2019-09-01", "2020-09-01", "2021-09-01", "2022-09-01"], training.Select(o => o.Period.StartDate));
        Assert.All(training, o => Assert.Equal(("parties/aca-strasbourg", 10L), (o.Obligor, o.Target)));
        Assert.Equal("2020-08-31", training[0].DueDate);
    }

    [Fact]
    public void Plan_StopsAtTheEndDate()
    {
        var training = ObligationPlanner.Plan(Convention("2021-06-30"), Today, CeaSucceeds).Where(o => o.ClauseId == "training");

        Assert.Equal(["2019-09-01", "2020-09-01"], training.Select(o => o.Period.StartDate));
    }

    [Fact]
    public void Plan_GivesEachDepartementsPartToTheCea_FromTheSchoolYearOpenAtTheSuccession()
    {
        var financing = ObligationPlanner.Plan(Convention(), Today, CeaSucceeds).Where(o => o.ClauseId == "financing").ToList();

        var basRhin = financing.Where(o => o.Target == 7000000).Select(o => (o.Period.StartDate, o.Obligor));
        Assert.Equal([("2019-09-01", "parties/dep-67"), ("2020-09-01", "parties/cea"), ("2021-09-01", "parties/cea"), ("2022-09-01", "parties/cea")], basRhin);
        Assert.Equal(3, financing.Count(o => o.Obligor == "parties/cea" && o.Target == 100));
        Assert.Equal(financing.Count, financing.Select(o => o.Name).Distinct().Count());
    }

    [Fact]
    public void Plan_GivesTheSameIds_EveryTime()
    {
        var first = ObligationPlanner.Plan(Convention(), Today, CeaSucceeds).Select(o => o.Name);
        var again = ObligationPlanner.Plan(Convention(), Today.AddDays(30), CeaSucceeds).Select(o => o.Name);

        Assert.Equal(first, again);
        Assert.All(first, name => Assert.Matches("^obligations/[a-z][a-z0-9-]{2,62}$", name));
    }

    [Fact]
    public void Quarters_FollowTheCalendar()
    {
        var quarters = ObligationPlanner.Periods(Recurrence.PerQuarter, new DateOnly(2019, 12, 1), new DateOnly(2020, 6, 30));

        Assert.Equal([(new DateOnly(2019, 10, 1), new DateOnly(2019, 12, 31)), (new DateOnly(2020, 1, 1), new DateOnly(2020, 3, 31)), (new DateOnly(2020, 4, 1), new DateOnly(2020, 6, 30))], quarters);
    }
}
