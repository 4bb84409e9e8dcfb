using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Ent.Partnership.Communications.Domain;

/// <summary>
/// Finds words and phrases in a text case- and accent-insensitively, whole words only, and quotes the
/// original text around what it found.
/// </summary>
public sealed class TextMatcher
{
    private static readonly ConcurrentDictionary<string, string> FoldedPhrases = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<char, string> Decompositions = new();

    private readonly string _folded;
    private readonly int[] _origin;

    public TextMatcher(string text)
    {
        Text = text;
        var folded = new StringBuilder(text.Length);
        var origin = new List<int>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            // ASCII has nothing to decompose: most of a French text takes this path, without allocating.
            if (char.IsAscii(text[i]))
            {
                folded.Append(char.ToLowerInvariant(text[i]));
                origin.Add(i);
                continue;
            }

            foreach (var c in Decomposed(text[i]))
            {
                if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
                {
                    folded.Append(char.ToLowerInvariant(c));
                    origin.Add(i);
                }
            }
        }

        _folded = folded.ToString();
        _origin = [.. origin];
    }

    public string Text { get; }

    /// <summary>Lower case without accents: "Élection" and "election" fold alike. Charter phrases are folded once.</summary>
    public static string Fold(string text) =>
        FoldedPhrases.TryGetValue(text, out var folded) ? folded
        : FoldedPhrases.Count < 10_000 ? FoldedPhrases.GetOrAdd(text, t => new TextMatcher(t)._folded)
        : new TextMatcher(text)._folded;

    /// <summary>Every whole-word occurrence of <paramref name="phrase"/>, as spans of the original text.</summary>
    public IEnumerable<(int Start, int End)> Find(string phrase)
    {
        var needle = Fold(phrase).Trim();
        if (needle.Length == 0)
        {
            yield break;
        }

        for (var at = _folded.IndexOf(needle, StringComparison.Ordinal); at >= 0; at = _folded.IndexOf(needle, at + 1, StringComparison.Ordinal))
        {
            var end = at + needle.Length;
            if ((at == 0 || !char.IsLetterOrDigit(_folded[at - 1])) && (end == _folded.Length || !char.IsLetterOrDigit(_folded[end])))
            {
                yield return (_origin[at], _origin[end - 1] + 1);
            }
        }
    }

    private static string Decomposed(char c) => Decompositions.GetOrAdd(c, static x => x.ToString().Normalize(NormalizationForm.FormD));

    /// <summary>The original text of a span with up to <paramref name="context"/> characters on each side.</summary>
    public string Excerpt(int start, int end, int context = 40) =>
        Text[Math.Max(0, start - context)..Math.Min(Text.Length, end + context)];
}
