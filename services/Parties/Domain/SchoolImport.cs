using Ent.Partnership.ServiceDefaults.Api;
using System.Globalization;
using System.Text;
using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Errors;
using nietras.SeparatedValues;
using static Ent.Partnership.Parties.V1.Party.Types;

namespace Ent.Partnership.Parties.Domain;

/// <summary>A row of the "Annuaire de l'éducation" export, by the columns the import reads.</summary>
public sealed record AnnuaireRow(
    int Line, string Uai, string Name, string Type, string Status, string Department, string Academy,
    string Region, string Commune, string Pupils, string Nature);

/// <summary>What the import makes of a row.</summary>
public abstract record RowOutcome
{
    /// <summary>A school to create or update.</summary>
    public sealed record School(Party Party) : RowOutcome;

    /// <summary>Not a collège, lycée or EREA.</summary>
    public sealed record Skipped : RowOutcome;

    /// <summary>Refused, with the reason in French.</summary>
    public sealed record Rejected(string Reason) : RowOutcome;
}

/// <summary>The parties an import assigns schools to, found by their codes.</summary>
public sealed record PartyDirectory(
    IReadOnlyDictionary<string, Party> DepartmentsByInsee,
    IReadOnlyDictionary<string, Party> RegionsByInsee,
    IReadOnlyDictionary<string, Party> AcademiesByCode)
{
    public static PartyDirectory From(IEnumerable<Party> parties)
    {
        var list = parties.ToList();
        return new PartyDirectory(
            ByCode(list, Kind.Department, p => p.InseeCode),
            ByCode(list, Kind.Region, p => p.InseeCode),
            ByCode(list, Kind.Academy, p => p.AcademyCode));
    }

    private static Dictionary<string, Party> ByCode(List<Party> parties, Kind kind, Func<Party, string> code) =>
        parties.Where(p => p.Kind == kind && code(p).Length > 0)
            .GroupBy(code)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// Reads the Annuaire CSV and classifies its rows: collèges go to their Département (and to its successor
/// from the succession on), lycées and EREA to the Région, private schools to no one; cités scolaires need
/// an explicit assignment; écoles and other units are skipped. The UAI is checked first.
/// </summary>
public static class SchoolImport
{
    private static readonly string[] Columns =
    [
        "Identifiant_de_l_etablissement", "Nom_etablissement", "Type_etablissement", "Statut_public_prive",
        "Code_departement", "Code_academie", "Code_region", "Nom_commune", "Nombre_d_eleves", "Libelle_nature",
    ];

    public static IReadOnlyList<AnnuaireRow> Parse(string csv)
    {
        if (string.IsNullOrWhiteSpace(csv))
        {
            throw new InvalidArgumentException("csv", "Le fichier CSV est vide.");
        }

        try
        {
            using var reader = Sep.New(';')
                .Reader(o => o with { ColNameComparer = StringComparer.OrdinalIgnoreCase, Unescape = true, DisableColCountCheck = true })
                .FromText(csv.TrimStart('\uFEFF'));
            var missing = Columns.Where(c => !reader.Header.TryIndexOf(c, out _)).ToList();
            if (missing.Count > 0)
            {
                throw new InvalidArgumentException("csv", $"Colonnes manquantes dans l'en-tête : {string.Join(", ", missing)}.");
            }

            var indexes = Columns.Select(c => reader.Header.IndexOf(c)).ToArray();
            var rows = new List<AnnuaireRow>();
            foreach (var row in reader)
            {
                var cols = new string[indexes.Length];
                for (var i = 0; i < indexes.Length; i++)
                {
                    cols[i] = indexes[i] < row.ColCount ? row[indexes[i]].ToString().Trim() : "";
                }

                rows.Add(new AnnuaireRow(row.LineNumberFrom, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7], cols[8], cols[9]));
            }

            return rows;
        }
        catch (Exception exception) when (exception is InvalidDataException or ArgumentException or NotSupportedException)
        {
            throw new InvalidArgumentException("csv", $"Le fichier CSV est illisible : {exception.Message}");
        }
    }

    public static RowOutcome Classify(AnnuaireRow row, PartyDirectory directory)
    {
        if (Uai.Problem(row.Uai) is { } problem)
        {
            return new RowOutcome.Rejected(problem);
        }

        var type = Fold(row.Type);
        var nature = Fold(row.Nature);
        SchoolType schoolType;
        if (nature.Contains("CITE SCOLAIRE", StringComparison.Ordinal))
        {
            return new RowOutcome.Rejected("Une cité scolaire doit être rattachée explicitement à une collectivité.");
        }
        else if (type.StartsWith("COLLEGE", StringComparison.Ordinal))
        {
            schoolType = SchoolType.College;
        }
        else if (type.StartsWith("LYCEE", StringComparison.Ordinal))
        {
            schoolType = nature.Contains("PROFESSIONNEL", StringComparison.Ordinal) ? SchoolType.LyceeProfessionnel : SchoolType.Lycee;
        }
        else if (type == "EREA")
        {
            schoolType = SchoolType.Erea;
        }
        else
        {
            return new RowOutcome.Skipped();
        }

        if (!directory.AcademiesByCode.TryGetValue(Code(row.Academy), out var academy))
        {
            return new RowOutcome.Rejected($"Aucune académie n'a le code « {row.Academy} ».");
        }

        var status = Fold(row.Status);
        var sector = status.StartsWith("PRIVE", StringComparison.Ordinal) ? Sector.Private
            : nature.Contains("AGRICOLE", StringComparison.Ordinal) ? Sector.Agricultural
            : Sector.Public;
        var school = new Party
        {
            Name = PartyRules.NamePrefix + Uai.PartyId(row.Uai),
            Kind = Kind.School,
            DisplayName = row.Name,
            Uai = row.Uai,
            Academy = academy.Name,
            SchoolType = schoolType,
            Sector = sector,
            Commune = row.Commune,
        };
        if (int.TryParse(row.Pupils, NumberStyles.None, CultureInfo.InvariantCulture, out var pupils))
        {
            school.PupilCount = pupils;
        }

        if (string.IsNullOrEmpty(school.DisplayName))
        {
            return new RowOutcome.Rejected("Le nom de l'établissement est vide.");
        }

        if (sector == Sector.Private)
        {
            return new RowOutcome.School(school);
        }

        var authority = schoolType == SchoolType.College
            ? directory.DepartmentsByInsee.GetValueOrDefault(Code(row.Department))
            : directory.RegionsByInsee.GetValueOrDefault(Code(row.Region));
        if (authority is null)
        {
            return new RowOutcome.Rejected(schoolType == SchoolType.College
                ? $"Aucun département n'a le code INSEE « {row.Department} »."
                : $"Aucune région n'a le code INSEE « {row.Region} ».");
        }

        school.CompetenceHistory.AddRange(HistoryUnder(authority));
        return new RowOutcome.School(school);
    }

    /// <summary>The authority, and from its succession on its successor, as competence periods.</summary>
    public static IEnumerable<CompetencePeriod> HistoryUnder(Party authority)
    {
        if (authority.Successor.Length == 0 || !CivilDate.TryParse(authority.ValidTo, out var end))
        {
            return [new CompetencePeriod { Authority = authority.Name }];
        }

        return
        [
            new CompetencePeriod { Authority = authority.Name, To = end.ToText() },
            new CompetencePeriod { Authority = authority.Successor, From = end.AddDays(1).ToText() },
        ];
    }

    /// <summary>Codes are written "067" or "67" depending on the export; parties carry the short form.</summary>
    private static string Code(string code) =>
        code.Length == 3 && code[0] == '0' ? code[1..] : code;

    /// <summary>Upper case without accents, so "Collège", "COLLEGE" and "college" compare equal.</summary>
    public static string Fold(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var folded = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                folded.Append(char.ToUpperInvariant(c));
            }
        }

        return folded.ToString().Trim();
    }
}
