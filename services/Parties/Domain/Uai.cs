using System.Text.RegularExpressions;

namespace Ent.Partnership.Parties.Domain;

/// <summary>
/// The national school identifier (ex-RNE): 7 digits then a check letter, the letter being
/// <c>"ABCDEFGHJKLMNPRSTUVWXYZ"[n % 23]</c> for the 7 digits read as the number n.
/// </summary>
public static partial class Uai
{
    private const string CheckLetters = "ABCDEFGHJKLMNPRSTUVWXYZ";

    /// <summary>Why <paramref name="uai"/> is not a valid UAI, in French, or null when it is.</summary>
    public static string? Problem(string? uai)
    {
        if (string.IsNullOrEmpty(uai))
        {
            return "L'UAI est obligatoire pour un établissement.";
        }

        if (!Shape().IsMatch(uai))
        {
            return $"L'UAI « {uai} » doit compter 7 chiffres suivis d'une lettre majuscule.";
        }

        var expected = CheckLetter(int.Parse(uai.AsSpan(0, 7), System.Globalization.CultureInfo.InvariantCulture));
        return uai[7] == expected ? null : $"La lettre de contrôle de l'UAI « {uai} » devrait être « {expected} ».";
    }

    public static bool IsValid(string? uai) => Problem(uai) is null;

    public static char CheckLetter(int number) => CheckLetters[number % 23];

    /// <summary>The id a school gets when none is chosen: <c>uai-0670001a</c>.</summary>
    public static string PartyId(string uai) => "uai-" + uai.ToLowerInvariant();

    [GeneratedRegex("^[0-9]{7}[A-Z]$")]
    private static partial Regex Shape();
}
