using Ent.Partnership.Parties.Domain;
using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Errors;
using static Ent.Partnership.Parties.V1.Party.Types;

namespace Ent.Partnership.Parties.Tests.Domain;

public sealed class SchoolImportTests
{
    private const string Header =
        "Identifiant_de_l_etablissement;Nom_etablissement;Type_etablissement;Statut_public_prive;Code_departement;Code_academie;Code_region;Nom_commune;Nombre_d_eleves;Libelle_nature";

    private static readonly PartyDirectory GrandEst = PartyDirectory.From(
    [
        new Party { Name = "parties/aca-strasbourg", Kind = Kind.Academy, AcademyCode = "15" },
        new Party { Name = "parties/aca-nancy-metz", Kind = Kind.Academy, AcademyCode = "12" },
        new Party { Name = "parties/region-grand-est", Kind = Kind.Region, InseeCode = "44" },
        new Party { Name = "parties/dep-57", Kind = Kind.Department, InseeCode = "57" },
        new Party { Name = "parties/dep-67", Kind = Kind.Department, InseeCode = "67", ValidTo = "2020-12-31", Successor = "parties/cea" },
    ]);

    private static RowOutcome ClassifyLine(string line) =>
        SchoolImport.Classify(Assert.Single(SchoolImport.Parse(Header + "\n" + line)), GrandEst);

    [Fact]
    public void Classify_GivesAPublicCollegeToItsDepartement()
    {
        var school = Assert.IsType<RowOutcome.School>(ClassifyLine("0571001D;Collège Jean Moulin;Collège;Public;57;12;44;Metz;420;COLLEGE")).Party;

        Assert.Equal("parties/uai-0571001d", school.Name);
        Assert.Equal(SchoolType.College, school.SchoolType);
        Assert.Equal(Sector.Public, school.Sector);
        Assert.Equal("parties/aca-nancy-metz", school.Academy);
        Assert.Equal(420, school.PupilCount);
        Assert.Equal("parties/dep-57", Assert.Single(school.CompetenceHistory).Authority);
    }

    [Fact]
    public void Classify_GivesACollegeOfASucceededDepartement_ToBothWithTheirDates()
    {
        var school = Assert.IsType<RowOutcome.School>(ClassifyLine("0671001Z;Collège;COLLÈGE;Public;067;15;44;Sélestat;336;COLLEGE")).Party;

        Assert.Equal("parties/dep-67", CompetenceHistory.AuthorityOn(school.CompetenceHistory, new DateOnly(2019, 11, 22)));
        Assert.Equal("parties/cea", CompetenceHistory.AuthorityOn(school.CompetenceHistory, new DateOnly(2021, 1, 1)));
    }

    [Theory]
    [InlineData("0571002E;Lycée Fabert;Lycée;Public;57;12;44;Metz;900;LYCEE D ENSEIGNEMENT GENERAL ET TECHNOLOGIQUE", SchoolType.Lycee)]
    [InlineData("0571003F;LP Cormontaigne;Lycée;Public;57;12;44;Metz;500;LYCEE PROFESSIONNEL", SchoolType.LyceeProfessionnel)]
    [InlineData("0571004G;EREA de Metz;EREA;Public;57;12;44;Metz;120;EREA", SchoolType.Erea)]
    public void Classify_GivesLyceesAndEreaToTheRegion(string line, SchoolType type)
    {
        var school = Assert.IsType<RowOutcome.School>(ClassifyLine(line)).Party;

        Assert.Equal(type, school.SchoolType);
        Assert.Equal("parties/region-grand-est", Assert.Single(school.CompetenceHistory).Authority);
    }

    [Fact]
    public void Classify_GivesAPrivateSchoolToNoOne()
    {
        var school = Assert.IsType<RowOutcome.School>(ClassifyLine("0571005H;Collège Saint-Joseph;Collège;Privé;57;12;44;Metz;300;COLLEGE")).Party;

        Assert.Equal(Sector.Private, school.Sector);
        Assert.Empty(school.CompetenceHistory);
    }

    [Fact]
    public void Classify_SkipsPrimarySchools() =>
        Assert.IsType<RowOutcome.Skipped>(ClassifyLine("0571006J;École Jean Jaurès;Ecole;Public;57;12;44;Metz;150;ECOLE DE NIVEAU ELEMENTAIRE"));

    [Theory]
    [InlineData("0571001E;Collège;Collège;Public;57;12;44;Metz;420;COLLEGE", "lettre de contrôle")]
    [InlineData("0571007K;Cité scolaire;Lycée;Public;57;12;44;Metz;420;CITE SCOLAIRE", "cité scolaire")]
    [InlineData("0571008L;Collège;Collège;Public;99;12;44;Metz;420;COLLEGE", "Aucun département")]
    [InlineData("0571009M;Collège;Collège;Public;57;99;44;Metz;420;COLLEGE", "Aucune académie")]
    public void Classify_RejectsARow_WithTheReason(string line, string reason) =>
        Assert.Contains(reason, Assert.IsType<RowOutcome.Rejected>(ClassifyLine(line)).Reason, StringComparison.Ordinal);

    [Fact]
    public void Parse_ReadsColumnsByName_CaseInsensitively_WithABom()
    {
        var csv = "\uFEFF" + string.Join(';', Header.Split(';').Reverse()).ToUpperInvariant() + "\nCOLLEGE;420;Metz;44;12;57;Public;Collège;Collège Jean Moulin;0571001D";

        var row = Assert.Single(SchoolImport.Parse(csv));

        Assert.Equal("0571001D", row.Uai);
        Assert.Equal("Metz", row.Commune);
        Assert.Equal(2, row.Line);
    }

    [Fact]
    public void Parse_RefusesAFileWithoutTheColumns()
    {
        var error = Assert.Throws<InvalidArgumentException>(() => SchoolImport.Parse("a;b\n1;2"));

        Assert.Equal("csv", Assert.Single(error.Violations).Field);
    }

    [Fact]
    public void TheSyntheticExtract_Gives741SchoolsAnd30Skipped()
    {
        var csv = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "SeedData", "annuaire-grand-est-synthetic.csv"));
        var directory = PartyDirectory.From(
        [
            new Party { Name = "parties/aca-nancy-metz", Kind = Kind.Academy, AcademyCode = "12" },
            new Party { Name = "parties/aca-reims", Kind = Kind.Academy, AcademyCode = "19" },
            new Party { Name = "parties/aca-strasbourg", Kind = Kind.Academy, AcademyCode = "15" },
            new Party { Name = "parties/region-grand-est", Kind = Kind.Region, InseeCode = "44" },
            .. new[] { "08", "10", "51", "52", "54", "55", "57", "67", "68", "88" }
                .Select(code => new Party { Name = "parties/dep-" + code, Kind = Kind.Department, InseeCode = code }),
        ]);

        var outcomes = SchoolImport.Parse(csv).Select(row => SchoolImport.Classify(row, directory)).ToList();
        var schools = outcomes.OfType<RowOutcome.School>().Select(s => s.Party).ToList();

        Assert.Equal(771, outcomes.Count);
        Assert.Equal(741, schools.Count);
        Assert.Equal(30, outcomes.OfType<RowOutcome.Skipped>().Count());
        Assert.Empty(outcomes.OfType<RowOutcome.Rejected>());
        Assert.Equal(718, schools.Count(s => s.Sector == Sector.Public && s.SchoolType != SchoolType.Erea));
        Assert.Equal(3, schools.Count(s => s.SchoolType == SchoolType.Erea));
        Assert.Equal(20, schools.Count(s => s.Sector == Sector.Private));
    }
}
