using System.Text;

namespace Ent.Partnership.Benchmarks.Runner;

/// <summary>One line of the results table: a figure beside its baseline, the ratio between them and the goal.</summary>
public sealed record Row(string Scenario, string Measure, string Baseline, string Figure, string Ratio, string Goal, bool? Met);

/// <summary>
/// The results of one run, written into <c>docs/benchmarks.md</c> between its two markers; what is outside
/// them (what was changed to get there) is kept as it is.
/// </summary>
public sealed class Report
{
    public const string Begin = "<!-- results: written by the runner -->";
    public const string End = "<!-- end of results -->";

    private readonly List<Row> _rows = [];
    private readonly List<string> _notes = [];

    public void Add(Row row)
    {
        _rows.Add(row);
        var verdict = row.Met switch { true => "met", false => "NOT MET", null => "" };
        Console.WriteLine($"  {row.Scenario} | {row.Measure} | {row.Baseline} | {row.Figure} | {row.Ratio} | {row.Goal} {verdict}");
    }

    /// <summary>A remark printed under the table: what a scenario could not do, or how it was measured.</summary>
    public void Note(string note)
    {
        _notes.Add(note);
        Console.WriteLine("  note: " + note);
    }

    public string ToMarkdown(string command, TimeSpan duration)
    {
        var text = new StringBuilder();
        text.AppendLine(Begin);
        text.AppendLine();
        text.AppendLine($"Run of {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {duration.TotalMinutes:0} min, on {Machine()}.");
        text.AppendLine();
        text.AppendLine("```sh");
        text.AppendLine(command);
        text.AppendLine("```");
        text.AppendLine();
        text.AppendLine("| scenario | measure | baseline | figure | ratio | goal | |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var row in _rows)
        {
            var verdict = row.Met switch { true => "met", false => "**not met**", null => "" };
            text.AppendLine($"| {row.Scenario} | {row.Measure} | {row.Baseline} | {row.Figure} | {row.Ratio} | {row.Goal} | {verdict} |");
        }

        if (_notes.Count > 0)
        {
            text.AppendLine();
            foreach (var note in _notes)
            {
                text.AppendLine("- " + note);
            }
        }

        text.AppendLine();
        text.Append(End);
        return text.ToString();
    }

    /// <summary>Replaces the results between the markers of the file (appends them when it has none).</summary>
    public void WriteInto(string path, string command, TimeSpan duration)
    {
        var results = ToMarkdown(command, duration);
        var existing = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n";
        var begin = existing.IndexOf(Begin, StringComparison.Ordinal);
        var end = existing.IndexOf(End, StringComparison.Ordinal);
        var updated = begin >= 0 && end > begin
            ? existing[..begin] + results + existing[(end + End.Length)..]
            : existing.TrimEnd() + "\n\n" + results + "\n";
        File.WriteAllText(path, updated);
    }

    private static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return $"{Environment.ProcessorCount} cores ({cpu ?? "unknown CPU"}), {memory:0} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }
}
