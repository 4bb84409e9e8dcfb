using System.Text;
using Ent.Partnership.ServiceDefaults.Errors;

namespace Ent.Partnership.ServiceDefaults.Api;

/// <summary>
/// The filter grammar of every List method: <c>field = value</c> comparisons joined by <c>AND</c>, values bare
/// words or double-quoted strings (with <c>\"</c> and <c>\\</c> escapes).
/// </summary>
public sealed record Filter(IReadOnlyList<FilterTerm> Terms)
{
    public static readonly Filter Empty = new([]);

    public string? ValueOf(string field) => Terms.FirstOrDefault(t => t.Field == field)?.Value;

    /// <summary>Parses <paramref name="text"/>, accepting only <paramref name="fields"/>; each field at most once.</summary>
    public static Filter Parse(string? text, IReadOnlyCollection<string> fields)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Empty;
        }

        var terms = new List<FilterTerm>();
        var reader = new Reader(text);
        while (true)
        {
            var field = reader.ReadWord() ?? throw Invalid($"un nom de champ est attendu en position {reader.Position + 1}");
            if (!fields.Contains(field))
            {
                throw Invalid($"le champ « {field} » ne peut pas servir de filtre ; champs possibles : {string.Join(", ", fields)}");
            }

            if (terms.Any(t => t.Field == field))
            {
                throw Invalid($"le champ « {field} » apparaît deux fois");
            }

            if (!reader.TryRead('='))
            {
                throw Invalid($"« = » est attendu après « {field} »");
            }

            var value = reader.ReadValue() ?? throw Invalid($"une valeur est attendue après « {field} = »");
            terms.Add(new FilterTerm(field, value));
            if (reader.AtEnd)
            {
                return new Filter(terms);
            }

            if (reader.ReadWord() != "AND")
            {
                throw Invalid($"« AND » est attendu en position {reader.Position + 1}");
            }
        }
    }

    private static InvalidArgumentException Invalid(string reason) =>
        new("filter", $"Filtre invalide : {reason}.");

    private sealed class Reader(string text)
    {
        public int Position { get; private set; }

        public bool AtEnd
        {
            get
            {
                SkipSpaces();
                return Position >= text.Length;
            }
        }

        public bool TryRead(char c)
        {
            SkipSpaces();
            if (Position < text.Length && text[Position] == c)
            {
                Position++;
                return true;
            }

            return false;
        }

        public string? ReadWord()
        {
            SkipSpaces();
            var start = Position;
            while (Position < text.Length && IsWordChar(text[Position]))
            {
                Position++;
            }

            return Position > start ? text[start..Position] : null;
        }

        public string? ReadValue()
        {
            SkipSpaces();
            if (Position >= text.Length || text[Position] != '"')
            {
                return ReadWord();
            }

            var value = new StringBuilder();
            Position++;
            while (Position < text.Length)
            {
                var c = text[Position++];
                if (c == '"')
                {
                    return value.ToString();
                }

                if (c == '\\' && Position < text.Length)
                {
                    c = text[Position++];
                }

                value.Append(c);
            }

            throw Invalid("une chaîne entre guillemets n'est pas fermée");
        }

        private void SkipSpaces()
        {
            while (Position < text.Length && char.IsWhiteSpace(text[Position]))
            {
                Position++;
            }
        }

        private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-';
    }
}

/// <summary>One <c>field = value</c> comparison.</summary>
public sealed record FilterTerm(string Field, string Value);
