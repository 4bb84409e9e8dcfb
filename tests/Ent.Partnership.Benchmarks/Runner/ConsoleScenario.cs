using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Ent.Partnership.Tests.Support;
using static Ent.Partnership.Benchmarks.Runner.Measures;

namespace Ent.Partnership.Benchmarks.Runner;

/// <summary>
/// The console as a person feels it, in Chromium (<c>tests/browser/console-timing.mjs</c>): the message editor
/// until it answers input ÷ the home page rendered on the server; the charter's finding after a typing pause
/// ÷ the same <c>:check</c> called straight through the gateway with the person's token.
/// </summary>
public sealed class ConsoleScenario(Suite suite, RunnerOptions options, Report report)
{
    private const string Person = "Chargé de communication — Collectivité européenne d'Alsace";
    private const string School = "0671006E";

    /// <summary>The editor's pause before it checks (<c>MessageDraft.TypingPause</c>).</summary>
    private const int PauseMilliseconds = 400;

    public async Task RunAsync()
    {
        var rounds = Math.Max(20, options.Rounds * 10);
        var (exitCode, output) = await NodeScript.RunAsync("console-timing.mjs", TimeSpan.FromMinutes(10),
            suite.Console.ToString().TrimEnd('/'), Person, School, rounds.ToString(CultureInfo.InvariantCulture), PauseMilliseconds.ToString(CultureInfo.InvariantCulture));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"console-timing.mjs failed: {output}");
        }

        var timings = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        List<double> Read(string name) => timings.GetProperty(name).EnumerateArray().Select(t => t.GetDouble()).ToList();
        List<double> home = Read("home"), editor = Read("editor"), check = Read("check");
        var direct = await DirectChecksAsync(rounds);

        report.Add(new Row("console editor", $"the message editor loaded until it answers input (its circuit connected), warm, {rounds} loads ÷ the home page rendered on the server",
            $"home: p50 {Median(home):0} ms, p95 {Percentile(home, 95):0} ms", $"editor: p50 {Median(editor):0} ms, p95 {Percentile(editor, 95):0} ms",
            Ratio(Percentile(editor, 95) / Percentile(home, 95)), "p95 < 1.5 s", Percentile(editor, 95) < 1500));
        report.Add(new Row("inline check", $"the charter's finding shown after a typing pause, less the {PauseMilliseconds} ms pause, {rounds} checks ÷ the same `:check` straight through the gateway",
            $"`:check`: p50 {Median(direct):0} ms, p95 {Percentile(direct, 95):0} ms", $"in the editor: p50 {Median(check):0} ms, p95 {Percentile(check, 95):0} ms",
            Ratio(Percentile(check, 95) / Percentile(direct, 95)), "p95 < 300 ms", Percentile(check, 95) < 300));
    }

    /// <summary>The editor's <c>:check</c> of the same draft, called by the runner with the person's token.</summary>
    private async Task<List<double>> DirectChecksAsync(int rounds)
    {
        var token = await suite.PersonTokenAsync("dev-cea");
        var times = new List<double>();
        for (var round = 0; round < rounds + 3; round++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/communications:check")
            {
                Content = JsonContent.Create(new
                {
                    communication = new
                    {
                        title = "Horaires des cars", category = "TRANSPORT", audiences = new[] { "PARENTS" },
                        body = $"Les horaires des cars changent le {round + 1} novembre. Profitez de notre offre spéciale !",
                        targets = new { schools = new[] { "parties/uai-" + School.ToLowerInvariant() } },
                        expireTime = DateTimeOffset.UtcNow.AddDays(30).ToString("yyyy-MM-ddT23:00:00Z", CultureInfo.InvariantCulture),
                    },
                }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var clock = Stopwatch.StartNew();
            using var response = await suite.Client.SendAsync(request);
            response.EnsureSuccessStatusCode();
            if (round >= 3)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        return times;
    }
}
