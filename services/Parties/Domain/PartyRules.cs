using Ent.Partnership.ServiceDefaults.Api;
using System.Text.RegularExpressions;
using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Errors;
using static Ent.Partnership.Parties.V1.Party.Types;

namespace Ent.Partnership.Parties.Domain;

/// <summary>What makes a party valid, whatever the method that writes it.</summary>
public static partial class PartyRules
{
    public const string NamePrefix = "parties/";

    [GeneratedRegex("^[a-z][a-z0-9-]{2,62}$")]
    public static partial Regex IdPattern();

    [GeneratedRegex("^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$")]
    private static partial Regex DepartmentCode();

    [GeneratedRegex("^[0-9]{2}$")]
    private static partial Regex TwoDigits();

    /// <summary>The id in <c>parties/{id}</c>, or null when <paramref name="name"/> is not a party's name.</summary>
    public static string? IdOf(string? name) =>
        name is not null && name.StartsWith(NamePrefix, StringComparison.Ordinal) && IdPattern().IsMatch(name.AsSpan(NamePrefix.Length))
            ? name[NamePrefix.Length..]
            : null;

    /// <summary>The parties that <paramref name="party"/> refers to and that must exist.</summary>
    public static IEnumerable<string> References(Party party) =>
        new[] { party.Academy, party.CompetentAuthority, party.Successor }.Where(r => r.Length > 0).Distinct();

    /// <summary>
    /// Every problem of <paramref name="party"/>, one per field. <paramref name="referenced"/> holds the
    /// parties named by <see cref="References"/> that exist.
    /// </summary>
    public static List<FieldViolation> Check(Party party, IReadOnlyDictionary<string, Party> referenced)
    {
        var violations = new List<FieldViolation>();
        void Add(string field, string description) => violations.Add(new FieldViolation(field, description));

        if (party.Kind == Kind.Unspecified)
        {
            Add("kind", "Le type de partie (kind) est obligatoire.");
        }

        if (string.IsNullOrWhiteSpace(party.DisplayName))
        {
            Add("displayName", "Le nom (displayName) est obligatoire.");
        }
        else if (party.DisplayName.Length > 200)
        {
            Add("displayName", "Le nom ne peut dépasser 200 caractères.");
        }

        if (party.Kind == Kind.School)
        {
            CheckSchool(party, referenced, Add);
        }
        else
        {
            foreach (var (field, _) in SchoolOnlyFields(party).Where(f => f.IsSet))
            {
                Add(field, $"Le champ {field} ne concerne que les établissements (kind SCHOOL).");
            }
        }

        if (party.Kind == Kind.Department && !DepartmentCode().IsMatch(party.InseeCode))
        {
            Add("inseeCode", "Un département a un code INSEE de département (« 67 », « 2A », « 974 »).");
        }

        if (party.Kind == Kind.Region && !TwoDigits().IsMatch(party.InseeCode))
        {
            Add("inseeCode", "Une région a un code INSEE de région à deux chiffres (« 44 »).");
        }

        if (party.Kind == Kind.Academy && !TwoDigits().IsMatch(party.AcademyCode))
        {
            Add("academyCode", "Une académie a un code académie à deux chiffres (« 15 »).");
        }

        CheckReference(party.Academy, "academy", referenced, Add, expected: [Kind.Academy]);
        CheckReference(party.Successor, "successor", referenced, Add, expected: []);
        if (party.Successor.Length > 0 && party.Successor == party.Name)
        {
            Add("successor", "Une partie ne peut pas se succéder à elle-même.");
        }

        CheckValidity(party, Add);
        return violations;
    }

    private static void CheckSchool(Party party, IReadOnlyDictionary<string, Party> referenced, Action<string, string> add)
    {
        if (Uai.Problem(party.Uai) is { } problem)
        {
            add("uai", problem);
        }

        if (party.SchoolType == SchoolType.Unspecified)
        {
            add("schoolType", "Le type d'établissement (schoolType) est obligatoire.");
        }

        if (party.Sector == Sector.Unspecified)
        {
            add("sector", "Le secteur (sector) est obligatoire.");
        }

        if (party.Academy.Length == 0)
        {
            add("academy", "L'académie d'un établissement est obligatoire.");
        }

        if (party.HasPupilCount && party.PupilCount < 0)
        {
            add("pupilCount", "Le nombre d'élèves ne peut pas être négatif.");
        }

        if (party.CompetentAuthority.Length == 0)
        {
            return;
        }

        if (party.Sector == Sector.Private)
        {
            add("competentAuthority", "Aucune collectivité n'est compétente pour un établissement privé.");
            return;
        }

        CheckReference(party.CompetentAuthority, "competentAuthority", referenced, add, CompetentKinds(party.SchoolType));
    }

    /// <summary>Who may be competent for a school: the Département (or the CeA) for collèges, the Région for lycées.</summary>
    public static Kind[] CompetentKinds(SchoolType type) => type switch
    {
        SchoolType.College => [Kind.Department, Kind.SpecialCollectivity],
        SchoolType.Lycee or SchoolType.LyceeProfessionnel or SchoolType.Erea => [Kind.Region],
        _ => [Kind.Department, Kind.SpecialCollectivity, Kind.Region],
    };

    private static void CheckReference(string name, string field, IReadOnlyDictionary<string, Party> referenced, Action<string, string> add, Kind[] expected)
    {
        if (name.Length == 0)
        {
            return;
        }

        if (IdOf(name) is null)
        {
            add(field, $"« {name} » n'est pas un nom de partie (parties/{{id}}).");
        }
        else if (!referenced.TryGetValue(name, out var target))
        {
            add(field, $"La partie {name} n'existe pas.");
        }
        else if (expected.Length > 0 && !expected.Contains(target.Kind))
        {
            add(field, $"La partie {name} est de type {target.Kind}, attendu : {string.Join(" ou ", expected)}.");
        }
    }

    private static void CheckValidity(Party party, Action<string, string> add)
    {
        var from = CheckDate(party.ValidFrom, "validFrom", add);
        var to = CheckDate(party.ValidTo, "validTo", add);
        if (from > to)
        {
            add("validTo", "La date de fin précède la date de début.");
        }
    }

    private static DateOnly? CheckDate(string text, string field, Action<string, string> add)
    {
        if (text.Length == 0)
        {
            return null;
        }

        if (CivilDate.TryParse(text, out var date))
        {
            return date;
        }

        add(field, $"« {text} » n'est pas une date AAAA-MM-JJ valide.");
        return null;
    }

    private static IEnumerable<(string Field, bool IsSet)> SchoolOnlyFields(Party party) =>
    [
        ("uai", party.Uai.Length > 0),
        ("schoolType", party.SchoolType != SchoolType.Unspecified),
        ("sector", party.Sector != Sector.Unspecified),
        ("pupilCount", party.HasPupilCount),
        ("competentAuthority", party.CompetentAuthority.Length > 0),
    ];

    /// <summary>Whether <paramref name="party"/> exists on <paramref name="date"/>.</summary>
    public static bool IsValidOn(Party party, DateOnly date) => IsValidDuring(party, date, date);

    /// <summary>Whether <paramref name="party"/> exists on at least one day from <paramref name="first"/> to <paramref name="last"/>.</summary>
    public static bool IsValidDuring(Party party, DateOnly first, DateOnly last) =>
        (party.ValidFrom.Length == 0 || CivilDate.TryParse(party.ValidFrom, out var from) && from <= last)
        && (party.ValidTo.Length == 0 || CivilDate.TryParse(party.ValidTo, out var to) && first <= to);
}
