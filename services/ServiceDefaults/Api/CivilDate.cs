using System.Globalization;
using Ent.Partnership.ServiceDefaults.Errors;

namespace Ent.Partnership.ServiceDefaults.Api;

/// <summary>Civil dates as the API writes them, <c>YYYY-MM-DD</c> in Europe/Paris.</summary>
public static class CivilDate
{
    public const string Format = "yyyy-MM-dd";

    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    public static bool TryParse(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    /// <summary>The date in <paramref name="text"/>, or null when empty; INVALID_ARGUMENT on <paramref name="field"/> when malformed.</summary>
    public static DateOnly? ParseOptional(string? text, string field)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return TryParse(text, out var date)
            ? date
            : throw new InvalidArgumentException(field, $"« {text} » n'est pas une date AAAA-MM-JJ valide.");
    }

    public static DateOnly Parse(string? text, string field) =>
        ParseOptional(text, field) ?? throw new InvalidArgumentException(field, "La date est obligatoire (AAAA-MM-JJ).");

    public static string ToText(this DateOnly date) => date.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>The day of an instant in Paris.</summary>
    public static DateOnly Of(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Paris).DateTime);

    /// <summary>The instant a day begins in Paris.</summary>
    public static DateTimeOffset StartOf(DateOnly day)
    {
        var midnight = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(midnight, Paris.GetUtcOffset(midnight));
    }

    /// <summary>Today in Paris.</summary>
    public static DateOnly Today(TimeProvider time) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), Paris).DateTime);
}
