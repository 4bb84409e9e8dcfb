using System.Globalization;

namespace Ent.Partnership.Benchmarks.Runner;

/// <summary>Medians and spreads of repeated measurements, and how they are written in the report.</summary>
public static class Measures
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>The value below which <paramref name="percent"/> of the values fall (nearest rank).</summary>
    public static double Percentile(IReadOnlyList<double> values, double percent)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    /// <summary><c>median (min–max)</c> of the runs, in the given format.</summary>
    public static string Spread(IReadOnlyList<double> values, string format, string unit = "")
    {
        var text = Format(Median(values), format) + unit;
        return values.Count > 1 ? $"{text} ({Format(values.Min(), format)}–{Format(values.Max(), format)})" : text;
    }

    public static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    public static string Ratio(double value) => Format(value, "0.00");
}
