using System.Diagnostics;
using System.Text;
using static Ent.Partnership.Benchmarks.Runner.Measures;

namespace Ent.Partnership.Benchmarks.Runner;

/// <summary>
/// The partnership's own work, through the gateway as partners call it: the compliance report, a message
/// published to every school, the import of the national school directory, and how reads, writes, lists
/// and the report grow with the number of schools.
/// </summary>
public sealed class PartnershipScenarios(Suite suite, RunnerOptions options, Report report)
{
    private const string ReportPath = "/v1/obligations:report?convention=conventions/mbn-grand-est&schoolYear=2019-2020";

    public async Task ReportAsync()
    {
        var latencies = await LatenciesAsync(ReportPath, 20 * options.Rounds + 5);
        report.Add(new Row("compliance report", $"`obligations:report` of the Grand Est sample for 2019-2020, {latencies.Count} calls one after the other",
            "—", $"p50 {Percentile(latencies, 50):0.0} ms, p99 {Percentile(latencies, 99):0.0} ms", "", "p99 < 200 ms", Percentile(latencies, 99) < 200));
    }

    /// <summary>
    /// A convention with 2,000 events in its history (its creation and 1,999 updates of its title): the first
    /// and the last page of <c>:history</c> (50 entries each) beside a plain Get of the convention, through the
    /// gateway with the admin key (the observer's is limited to 100 requests a second; the readers' check is
    /// the same for both).
    /// </summary>
    public async Task HistoryAsync()
    {
        const int Events = 2000;
        var id = "history-" + Guid.NewGuid().ToString("N")[..8];
        await suite.PostAsync($"/v1/conventions?conventionId={id}", new
        {
            title = "Convention à l'histoire longue",
            effectiveDate = "2026-09-01",
            signatories = new[] { new { party = "parties/aca-nancy-metz", role = "ACADEMIC_AUTHORITY" } },
        });
        for (var i = 1; i < Events; i++)
        {
            await suite.PatchAsync($"/v1/conventions/{id}?updateMask=title", new { title = $"Convention à l'histoire longue, version {i + 1}" });
        }

        var history = $"/v1/conventions/{id}:history";
        var lastToken = "";
        for (var page = await suite.GetAsync(history); page.TryGetProperty("nextPageToken", out var next); page = await suite.GetAsync($"{history}?pageToken={next.GetString()}"))
        {
            lastToken = next.GetString()!;
        }

        var calls = 40 * options.Rounds + 5;
        var get = await LatenciesAsync($"/v1/conventions/{id}", calls);
        var first = await LatenciesAsync(history, calls);
        var last = await LatenciesAsync($"{history}?pageToken={lastToken}", calls);
        report.Add(new Row("history", $"a convention with {Events} events: the first and the last page of `:history` (50 entries) ÷ a plain Get of it, p99 of {get.Count} calls each",
            $"Get: p50 {Percentile(get, 50):0.0} ms, p99 {Percentile(get, 99):0.0} ms",
            $"first page: p50 {Percentile(first, 50):0.0} ms, p99 {Percentile(first, 99):0.0} ms; last page: p99 {Percentile(last, 99):0.0} ms",
            Ratio(Percentile(first, 99) / Percentile(get, 99)), "first page p99 < 50 ms", Percentile(first, 99) < 50));
    }

    /// <summary>Latencies in ms of sequential GETs through the gateway, after five unmeasured ones.</summary>
    private async Task<List<double>> LatenciesAsync(string path, int calls)
    {
        var latencies = new List<double>();
        for (var i = 0; i < calls; i++)
        {
            var clock = Stopwatch.StartNew();
            await suite.GetAsync(path);
            if (i >= 5)
            {
                latencies.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        return latencies;
    }

    /// <summary>
    /// The Région's message to every school under its competence, then every collectivity's message at once
    /// (every Grand Est school), each with the sandbox healthy and then failing 20% of the pushes. Four
    /// messages per lycée: the sample charter's limit over 30 days.
    /// </summary>
    public async Task FanOutAsync()
    {
        await WaitForCharterAsync();
        await CheckAsync();
        var region = new[] { "parties/region-grand-est" };
        var everyone = await CollectivitiesAsync();
        foreach (var (issuers, label) in new[] { (region, "every lycée of the Région"), (everyone, $"every Grand Est school ({everyone.Length} collectivities)") })
        {
            var (schools, healthy) = await PublishAsync(issuers, 0);
            var (_, failing) = await PublishAsync(issuers, 0.2);
            report.Add(new Row("fan-out", $"{label}: {schools} schools, approval to the last delivery, sandbox healthy then failing 20%",
                $"healthy: {healthy:0.00} s", $"failing: {failing:0.00} s", Ratio(failing / healthy), "< 5 s healthy, < 30 s failing",
                healthy < 5 && failing < 30));
        }
    }

    /// <summary>
    /// The charter check of the Région's message to every lycée, one call after the other: what the editor
    /// asks as a person types, resolving the schools under the Région's competence each time.
    /// </summary>
    private async Task CheckAsync()
    {
        var calls = 40 * options.Rounds + 5;
        var get = await LatenciesAsync("/v1/parties/region-grand-est", calls);
        var check = new List<double>();
        for (var i = 0; i < calls; i++)
        {
            var clock = Stopwatch.StartNew();
            await suite.PostAsync("/v1/communications:check", new
            {
                communication = new
                {
                    issuer = "parties/region-grand-est",
                    title = "Fermeture des établissements le 11 novembre",
                    body = $"Les établissements seront fermés le 11 novembre ({i}).",
                    category = "EVENT",
                    audiences = new[] { "PARENTS" },
                    targets = new { allSchoolsUnderCompetence = true },
                },
            });
            if (i >= 5)
            {
                check.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        report.Add(new Row("charter check", $"`communications:check` of the Région's message to every lycée ÷ a `GetParty`, through the gateway, {check.Count} calls one after the other",
            $"GetParty: p50 {Percentile(get, 50):0.0} ms, p99 {Percentile(get, 99):0.0} ms",
            $"check: p50 {Percentile(check, 50):0.0} ms, p99 {Percentile(check, 99):0.0} ms",
            Ratio(Percentile(check, 50) / Percentile(get, 50)), "p99 < 300 ms (the editor's pause)", Percentile(check, 99) < 300));
    }

    private async Task WaitForCharterAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var verdict = await suite.PostAsync("/v1/communications:check", new
            {
                communication = new { issuer = "parties/region-grand-est", category = "EVENT", audiences = new[] { "PARENTS" }, targets = new { allSchoolsUnderCompetence = true } },
            });
            if (verdict.TryGetProperty("charterRevision", out _))
            {
                return;
            }

            if (deadline.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException("the communications service never learnt the charter: " + verdict);
            }

            await Task.Delay(200);
        }
    }

    /// <summary>The collectivities in office today (the Région, the Départements, the CeA).</summary>
    private async Task<string[]> CollectivitiesAsync()
    {
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var names = new List<string>();
        foreach (var kind in new[] { "REGION", "DEPARTMENT", "SPECIAL_COLLECTIVITY" })
        {
            var page = await suite.GetAsync($"/v1/parties?pageSize=100&filter={Uri.EscapeDataString($"kind = {kind} AND valid_on = {today}")}");
            names.AddRange(page.GetProperty("parties").EnumerateArray().Select(p => p.GetProperty("name").GetString()!));
        }

        return [.. names];
    }

    /// <summary>Publishes one message per issuer to all its schools; returns the schools and the seconds from the approvals to the last delivery.</summary>
    private async Task<(int Schools, double Seconds)> PublishAsync(string[] issuers, double failureRate)
    {
        using var sandbox = new HttpClient { BaseAddress = suite.Endpoint("ent-sandbox", "http") };
        (await sandbox.PutAsJsonAsync("/settings", new { failureRate })).EnsureSuccessStatusCode();
        var names = new List<string>();
        foreach (var issuer in issuers)
        {
            var created = await suite.PostAsync("/v1/communications", new
            {
                issuer,
                title = "Fermeture des établissements le 11 novembre",
                body = "Les établissements seront fermés le 11 novembre.",
                category = "EVENT",
                audiences = new[] { "PARENTS", "PUPILS" },
                targets = new { allSchoolsUnderCompetence = true },
                expireTime = DateTime.UtcNow.AddDays(20).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            });
            var name = created.GetProperty("name").GetString()!;
            await suite.PostAsync($"/v1/{name}:submit", new { });
            names.Add(name);
        }

        var clock = Stopwatch.StartNew();
        // The sample calendar's reserve windows (the 2027 presidential from October 2026) warn: the reviewer takes note.
        var approved = await Task.WhenAll(names.Select(name => suite.PostAsync($"/v1/{name}:approve", new { acknowledgedRuleIds = new[] { "CH-ELECTORAL-RESERVE" } })));
        var schools = approved.Sum(a => a.GetProperty("resolvedSchools").GetArrayLength());
        while (true)
        {
            var delivered = 0;
            foreach (var name in names)
            {
                var message = await suite.GetAsync("/v1/" + name);
                delivered += message.TryGetProperty("deliverySummary", out var summary) && summary.TryGetProperty("delivered", out var count) ? count.GetInt32() : 0;
            }

            if (delivered == schools)
            {
                return (schools, clock.Elapsed.TotalSeconds);
            }

            if (clock.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"{delivered} of {schools} deliveries in five minutes");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// The synthetic extract again (nothing changes), then a national-size file, then more schools for 100
    /// times the reference data, measuring at each size a read, a write, the first and last page of the
    /// schools, and the report.
    /// </summary>
    public async Task ImportAndGrowthAsync()
    {
        var extract = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "SeedData", "annuaire-grand-est-synthetic.csv"));
        var again = await TimedImportAsync(extract);
        var directory = new SyntheticDirectory(extract);
        await MeasureGrowthAsync("reference data");

        var national = directory.National(rows: 70_000, schools: 11_000);
        var nationalTime = await TimedImportAsync(national);
        report.Add(new Row("import", "the synthetic extract again (771 rows, nothing changed); a national-size file (70,000 rows, 11,000 collèges and lycées, new)",
            $"extract: {again.Seconds:0.00} s", $"national: {nationalTime.Seconds:0.0} s, {nationalTime.Created} created", "", "national file < 30 s", nationalTime.Seconds < 30));
        await MeasureGrowthAsync("10×");

        if (options.Growth >= 100)
        {
            foreach (var file in directory.More(schools: 80_000, perFile: 10_000))
            {
                await TimedImportAsync(file);
            }

            await MeasureGrowthAsync("100×");
        }
    }

    private static string SchoolsPage(string token) => $"/v1/parties?pageSize=500&filter=kind%20%3D%20SCHOOL&pageToken={Uri.EscapeDataString(token)}";

    private async Task<(double Seconds, int Created)> TimedImportAsync(string csv)
    {
        var clock = Stopwatch.StartNew();
        var response = await suite.PostAsync("/v1/parties:importSchools", new { csv });
        return (clock.Elapsed.TotalSeconds, response.TryGetProperty("created", out var created) ? created.GetInt32() : 0);
    }

    private readonly List<(string Size, int Schools, double Read, double Write, double FirstPage, double LastPage, double Report)> _growth = [];

    private async Task MeasureGrowthAsync(string size)
    {
        var reads = await LatenciesAsync("/v1/parties/uai-0671001z", 105);
        var writes = new List<double>();
        for (var i = 0; i < 55; i++)
        {
            var clock = Stopwatch.StartNew();
            await suite.PostAsync("/v1/parties", new { kind = "ENT_PROVIDER", displayName = $"Prestataire {size} {i}" });
            if (i >= 5)
            {
                writes.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        // Every page of 500 schools, in turn; then the first and the last again, five times each.
        var tokens = new List<string> { "" };
        var schools = 0;
        do
        {
            var page = await suite.GetAsync(SchoolsPage(tokens[^1]));
            schools += page.GetProperty("parties").GetArrayLength();
            tokens.Add(page.TryGetProperty("nextPageToken", out var next) ? next.GetString() ?? "" : "");
        }
        while (tokens[^1].Length > 0);

        var firstPage = await LatenciesAsync(SchoolsPage(""), 10);
        var lastPage = await LatenciesAsync(SchoolsPage(tokens[^2]), 10);
        var reports = await LatenciesAsync(ReportPath, 15);
        _growth.Add((size, schools, Percentile(reads, 50), Percentile(writes, 50), Percentile(firstPage, 50), Percentile(lastPage, 50), Percentile(reports, 50)));
        var first = _growth[0];
        var last = _growth[^1];
        Console.WriteLine($"  growth {size}: {schools} schools, read {last.Read:0.00} ms, write {last.Write:0.00} ms, pages {last.FirstPage:0} / {last.LastPage:0} ms, report {last.Report:0} ms");
        if (_growth.Count > 1)
        {
            report.Add(new Row("growth", $"{last.Schools} schools ({size}) beside {first.Schools}: p50 of `GetParty`, `CreateParty`, first and last page of 500 schools, the report",
                $"{first.Read:0.0} / {first.Write:0.0} / {first.FirstPage:0} / {first.LastPage:0} / {first.Report:0} ms",
                $"{last.Read:0.0} / {last.Write:0.0} / {last.FirstPage:0} / {last.LastPage:0} / {last.Report:0} ms",
                $"{Ratio(last.Read / first.Read)} / {Ratio(last.Write / first.Write)} / {Ratio(last.FirstPage / first.FirstPage)} / {Ratio(last.LastPage / first.LastPage)} / {Ratio(last.Report / first.Report)}",
                "reads, writes and pages flat; the report linear in the schools", null));
        }
    }

    /// <summary>
    /// School directory files in the extract's format, for the Grand Est Départements (so that every row has
    /// an authority), with UAIs the extract does not use and their right check letters.
    /// </summary>
    private sealed class SyntheticDirectory
    {
        private const string Letters = "ABCDEFGHJKLMNPRSTUVWXYZ";
        private readonly string _header;
        private readonly (string Department, string Academy, string Region)[] _departments;
        private readonly HashSet<string> _used;
        private readonly Dictionary<string, int> _up = [];
        private readonly Dictionary<string, int> _down = [];

        public SyntheticDirectory(string extract)
        {
            var lines = extract.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            _header = lines[0];
            var rows = lines.Skip(1).Select(l => l.Split(';')).ToList();
            _used = rows.Select(r => r[0]).ToHashSet(StringComparer.Ordinal);
            _departments = rows.Select(r => (r[8], r[9], r[10])).Distinct().OrderBy(d => d.Item1, StringComparer.Ordinal).ToArray();
        }

        /// <summary>A file of <paramref name="rows"/> rows, <paramref name="schools"/> of them collèges and lycées, the rest écoles.</summary>
        public string National(int rows, int schools) => File(rows, schools);

        /// <summary>Files of <paramref name="perFile"/> new collèges and lycées until <paramref name="schools"/> more.</summary>
        public IEnumerable<string> More(int schools, int perFile)
        {
            for (var done = 0; done < schools; done += perFile)
            {
                yield return File(perFile, perFile);
            }
        }

        private string File(int rows, int schools)
        {
            var text = new StringBuilder(_header).Append('\n');
            for (var i = 0; i < rows; i++)
            {
                var (department, academy, region) = _departments[i % _departments.Length];
                var uai = NextUai(department, school: i < schools);
                var (type, nature) = i >= schools ? ("Ecole", "ECOLE DE NIVEAU ELEMENTAIRE")
                    : i % 3 == 0 ? ("Lycée", "LYCEE D ENSEIGNEMENT GENERAL ET TECHNOLOGIQUE") : ("Collège", "COLLEGE");
                text.Append($"{uai};{type} de mesure {uai};{type};Public;;;;Commune {department};{department};{academy};{region};{nature};400;OUVERT\n");
            }

            return text.ToString();
        }

        /// <summary>
        /// Schools number up from 1 in their Département, écoles down from 9999: écoles are skipped by the
        /// import, so later files may give their numbers to schools.
        /// </summary>
        private string NextUai(string department, bool school)
        {
            var code = department.PadLeft(3, '0');
            var counters = school ? _up : _down;
            while (true)
            {
                var number = counters[code] = counters.GetValueOrDefault(code, school ? 0 : 10_000) + (school ? 1 : -1);
                if (number is < 1 or > 9999)
                {
                    throw new InvalidOperationException($"no UAI left in département {code}");
                }

                var digits = code + number.ToString("0000", System.Globalization.CultureInfo.InvariantCulture);
                var uai = digits + Letters[int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) % 23];
                if (!_used.Contains(uai))
                {
                    return uai;
                }
            }
        }
    }
}
