using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Ent.Partnership.ServiceDefaults.Errors;
using Google.Protobuf.WellKnownTypes;

namespace Ent.Partnership.ServiceDefaults.Api;

/// <summary>
/// The filter grammar of every List method (AIP-160's subset): <c>field = value</c> comparisons joined by
/// <c>AND</c>, values bare words or double-quoted strings (with <c>\"</c> and <c>\\</c> escapes); and on the
/// date and timestamp fields a List names, <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c> and <c>&gt;=</c> with a date
/// (<c>"2027-01-31"</c>) or an RFC 3339 timestamp (<c>"2026-12-01T00:00:00Z"</c>), as in JSON.
/// </summary>
public sealed partial record Filter(IReadOnlyList<FilterTerm> Terms)
{
    public static readonly Filter Empty = new([]);

    private static readonly string[] Operators = ["<=", ">=", "<", ">", "="];

    /// <summary>The <c>field = value</c> terms, which the store's indexes answer.</summary>
    public IEnumerable<FilterTerm> Equalities => Terms.Where(t => t.Operator == "=");

    public bool HasComparisons => Terms.Any(t => t.Operator != "=");

    public string? ValueOf(string field) => Terms.FirstOrDefault(t => t.Field == field && t.Operator == "=")?.Value;

    /// <summary>
    /// Whether a resource passes every comparison; <paramref name="valueOf"/> gives its value of a field (a
    /// <see cref="DateOnly"/> or a <see cref="DateTimeOffset"/>), null when it has none, which passes none.
    /// </summary>
    public bool Admits(Func<string, IComparable?> valueOf) =>
        Terms.Where(t => t.Operator != "=").All(t => valueOf(t.Field) is { } value && t.Holds(value.CompareTo(t.Bound)));

    /// <summary>A date field's value for <see cref="Admits"/>: null when empty.</summary>
    public static IComparable? DateValue(string text) => CivilDate.TryParse(text, out var day) ? day : null;

    /// <summary>A timestamp field's value for <see cref="Admits"/>: null when unset.</summary>
    public static IComparable? TimeValue(Timestamp? time) => time?.ToDateTimeOffset();

    /// <summary>
    /// Parses <paramref name="text"/>, accepting <c>=</c> on <paramref name="fields"/> (each at most once) and the
    /// comparisons on the <paramref name="ordered"/> ones (as often as needed: a range is two).
    /// </summary>
    public static Filter Parse(string? text, IReadOnlyCollection<string> fields, IReadOnlyDictionary<string, FilterOrder>? ordered = null)
    {
        ordered ??= new Dictionary<string, FilterOrder>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return Empty;
        }

        var terms = new List<FilterTerm>();
        var reader = new Reader(text);
        while (true)
        {
            var field = reader.ReadWord() ?? throw Invalid($"un nom de champ est attendu en position {reader.Position + 1}");
            if (!fields.Contains(field) && !ordered.ContainsKey(field))
            {
                throw Invalid($"le champ « {field} » ne peut pas servir de filtre ; champs possibles : {string.Join(", ", fields.Union(ordered.Keys))}");
            }

            var op = Operators.FirstOrDefault(reader.TryRead)
                ?? throw Invalid($"« = »{(ordered.ContainsKey(field) ? ", « < », « <= », « > » ou « >= »" : "")} est attendu après « {field} »");
            var value = reader.ReadValue() ?? throw Invalid($"une valeur est attendue après « {field} {op} »");
            if (op == "=")
            {
                if (!fields.Contains(field))
                {
                    throw Invalid($"le champ « {field} » se compare avec « < », « <= », « > » ou « >= », non « = »");
                }

                if (terms.Any(t => t.Field == field && t.Operator == "="))
                {
                    throw Invalid($"le champ « {field} » apparaît deux fois");
                }

                terms.Add(new FilterTerm(field, op, value));
            }
            else
            {
                var order = ordered.TryGetValue(field, out var found)
                    ? found
                    : throw Invalid($"« {op} » ne s'applique qu'aux dates et aux instants ({string.Join(", ", ordered.Keys)}), non à « {field} »");
                terms.Add(new FilterTerm(field, op, value) { Bound = Bound(field, order, value) });
            }

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

    private static IComparable Bound(string field, FilterOrder order, string value) => order switch
    {
        FilterOrder.Date => CivilDate.TryParse(value, out var day) ? day
            : throw Invalid($"« {field} » se compare à une date AAAA-MM-JJ entre guillemets, non à « {value} »"),
        _ => Rfc3339().IsMatch(value) && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant)
                ? instant
                : throw Invalid($"« {field} » se compare à un instant RFC 3339 entre guillemets (« 2026-12-01T00:00:00Z »), non à « {value} »"),
    };

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();

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

        public bool TryRead(string symbol)
        {
            SkipSpaces();
            if (text.AsSpan(Position).StartsWith(symbol, StringComparison.Ordinal))
            {
                Position += symbol.Length;
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

/// <summary>What an ordered field holds: a day or an instant.</summary>
public enum FilterOrder
{
    Date,
    Timestamp,
}

/// <summary>One <c>field op value</c> comparison; <see cref="Bound"/> is the value parsed, for the ordered ones.</summary>
public sealed record FilterTerm(string Field, string Operator, string Value)
{
    public IComparable? Bound { get; init; }

    /// <summary>Whether a comparison's outcome (<c>value.CompareTo(Bound)</c>) satisfies the operator.</summary>
    public bool Holds(int comparison) => Operator switch
    {
        "<" => comparison < 0,
        "<=" => comparison <= 0,
        ">" => comparison > 0,
        ">=" => comparison >= 0,
        _ => comparison == 0,
    };
}
