using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Ent.Partnership.Storage;
using StackExchange.Redis;

namespace Ent.Partnership.Suite.Tests;

/// <summary>Obligations following the conventions' events, as SPEC section 6 describes them, through the gateway.</summary>
[Collection(SuiteFixture.Collection)]
public sealed class ObligationsThroughGatewayTests(SuiteFixture suite) : IClassFixture<SuiteFixture>
{
    private const string Admin = "dev-admin-key";
    private const string Observer = "dev-observer-key";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly Gateway _gateway = new(suite.Gateway);

    /// <summary>The obligations of a filter once <paramref name="done"/> holds of them; the events arrive in the background.</summary>
    private async Task<List<JsonElement>> ObligationsWhenAsync(string filter, Func<List<JsonElement>, bool> done)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            var page = await _gateway.OkAsync(HttpMethod.Get, "/v1/obligations?pageSize=500&filter=" + Uri.EscapeDataString(filter), Observer);
            var obligations = page.TryGetProperty("obligations", out var list) ? list.EnumerateArray().ToList() : [];
            if (done(obligations))
            {
                return obligations;
            }

            await Task.Delay(200, timeout.Token);
        }
    }

    private static string Clause(string id, string role, string kind, string metric, long target, string recurrence = "PER_SCHOOL_YEAR", object? partyTargets = null) =>
        JsonSerializer.Serialize(new { obligation = new { clauseId = id, obligorRole = role, kind, metric, target, recurrence, partyTargets = partyTargets ?? Array.Empty<object>() } });

    private static string Article(string number, string title, params string[] clauses) =>
        $$"""{"number":"{{number}}","title":"{{title}}","clauses":[{{string.Join(',', clauses)}}]}""";

    private static string Training(long target) => Article("4", "Formation", Clause("training", "ACADEMIC_AUTHORITY", "TRAINING", "SESSIONS", target));

    private static string Financing(object? partyTargets = null) =>
        Article("6", "Financement", Clause("financing", "COLLECTIVITY", "FINANCING", "AMOUNT_CENTS", 500000, partyTargets: partyTargets));

    /// <summary>A convention of the académie of Reims and the Marne (and more collectivities), carried into force.</summary>
    private async Task<string> InForceAsync(
        string id, string trainingTarget = "6", string effectiveDate = "2025-09-01", string endDate = "2027-08-31", string[]? moreCollectivities = null, string[]? articles = null)
    {
        var collectivities = new[] { "parties/dep-51" }.Concat(moreCollectivities ?? []).ToList();
        var signatories = collectivities.Select(p => new { party = p, role = "COLLECTIVITY" }).Prepend(new { party = "parties/aca-reims", role = "ACADEMIC_AUTHORITY" });
        var draft = $$"""
            {"title":"Convention à obligations","effectiveDate":"{{effectiveDate}}","endDate":"{{endDate}}",
             "signatories":{{JsonSerializer.Serialize(signatories)}},
             "articles":[{{string.Join(',', articles ?? [Training(long.Parse(trainingTarget, System.Globalization.CultureInfo.InvariantCulture)), Financing()])}}]}
            """;
        await _gateway.OkAsync(HttpMethod.Post, $"/v1/conventions?conventionId={id}", Admin, draft);
        await _gateway.OkAsync(HttpMethod.Post, $"/v1/conventions/{id}:submit", Admin, "{}");
        foreach (var party in collectivities.Prepend("parties/aca-reims"))
        {
            await _gateway.OkAsync(HttpMethod.Post, $"/v1/conventions/{id}/signatures", Admin, $$"""{"party":"{{party}}","signatoryName":"Le signataire","signedOn":"2025-08-20"}""");
        }

        return "conventions/" + id;
    }

    /// <summary>Carries an amendment of <paramref name="convention"/> through its signatures.</summary>
    private async Task AmendAsync(string convention, string id, string changes, params string[] signatories)
    {
        await _gateway.OkAsync(HttpMethod.Post, $"/v1/{convention}/amendments?amendmentId={id}", Admin, $$"""{"title":"Avenant","changes":{{changes}}}""");
        await _gateway.OkAsync(HttpMethod.Post, $"/v1/{convention}/amendments/{id}:submit", Admin, "{}");
        foreach (var party in signatories)
        {
            await _gateway.OkAsync(HttpMethod.Post, $"/v1/{convention}/amendments/{id}/signatures", Admin, $$"""{"party":"{{party}}","signatoryName":"Le signataire","signedOn":"2026-11-02"}""");
        }
    }

    private async Task<string> SessionAsync(string obligation, string heldOn) =>
        (await _gateway.OkAsync(HttpMethod.Post, $"/v1/{obligation}/evidence", Admin,
            JsonSerializer.Serialize(new { trainingSession = new { heldOn, audience = "TEACHERS", participants = 12, hours = 3, modality = "ON_SITE" } }))).GetProperty("name").GetString()!;

    /// <summary>A string field; empty when the answer leaves it out (as it does empty values).</summary>
    private static string Text(JsonElement element, string property) => element.TryGetProperty(property, out var value) ? value.GetString()! : "";

    private static string StartOf(JsonElement obligation) => obligation.GetProperty("period").GetProperty("startDate").GetString()!;

    private static bool IsLive(JsonElement obligation) => Text(obligation, "status") != "SUPERSEDED";

    /// <summary>No identity (clause, slot, period) has two live obligations.</summary>
    private static void AssertOneLivePerIdentity(List<JsonElement> obligations) =>
        Assert.All(obligations.Where(IsLive).GroupBy(o => (Text(o, "clauseId"), Text(o, "signatory"), StartOf(o))), identity => Assert.Single(identity));

    [Fact]
    public async Task TheSampleConventionsObligations_AreListedForTheAcademie()
    {
        var obligations = await ObligationsWhenAsync("obligor = \"parties/aca-strasbourg\"", list => list.Count >= 54);

        Assert.Equal(["ASSISTANCE", "INFORMATION", "TRAINING"], obligations.Select(o => o.GetProperty("kind").GetString()).Distinct().Order());
        Assert.Contains(obligations, o => o.GetProperty("period").GetProperty("startDate").GetString() == "2019-09-01");
    }

    [Fact]
    public async Task AConventionComingIntoForce_MakesItsObligations_ForEachObligorAndSchoolYear()
    {
        var convention = await InForceAsync("with-obligations");

        var obligations = await ObligationsWhenAsync($"convention = \"{convention}\"", list => list.Count >= 4);

        Assert.Equal(
            [("parties/aca-reims", "2025-09-01"), ("parties/aca-reims", "2026-09-01"), ("parties/dep-51", "2025-09-01"), ("parties/dep-51", "2026-09-01")],
            obligations.Select(o => (o.GetProperty("obligor").GetString(), o.GetProperty("period").GetProperty("startDate").GetString())).Order());
        Assert.Equal(4, obligations.Count);
        var lastYear = obligations.Single(o => o.GetProperty("obligor").GetString() == "parties/dep-51" && o.GetProperty("period").GetProperty("startDate").GetString() == "2025-09-01");
        Assert.Equal("BREACHED", lastYear.GetProperty("status").GetString());
    }

    [Fact]
    public async Task AWaiveDecision_WaivesTheObligation_AndOneNamingAMissingForeignOrFulfilledObligationIsRefused()
    {
        var convention = await InForceAsync("waived", trainingTarget: "1");
        var obligations = await ObligationsWhenAsync($"convention = \"{convention}\"", list => list.Count == 4);
        var waived = Text(obligations.Single(o => Text(o, "obligor") == "parties/dep-51" && StartOf(o) == "2026-09-01"), "name");
        var fulfilled = Text(obligations.Single(o => Text(o, "clauseId") == "training" && StartOf(o) == "2026-09-01"), "name");
        await SessionAsync(fulfilled, "2026-10-12");
        var foreign = Text((await ObligationsWhenAsync("convention = \"conventions/mbn-grand-est\"", list => list.Count > 0))[0], "name");
        await _gateway.OkAsync(HttpMethod.Post, $"/v1/{convention}/meetings?meetingId=copil", Admin,
            """{"body":"STEERING_COMMITTEE","kind":"ORDINARY","scheduledAt":"2026-10-01T08:00:00Z","agenda":[{"itemId":"waive","title":"Levée"}]}""");
        await _gateway.OkAsync(HttpMethod.Post, $"/v1/{convention}/meetings/copil:hold", Admin,
            """{"attendance":[{"party":"parties/aca-reims","status":"PRESENT"},{"party":"parties/dep-51","status":"PRESENT"}]}""");
        string Waiver(string id, string obligation, string outcome = "APPROVED") =>
            JsonSerializer.Serialize(new { decision = new { decisionId = id, itemId = "waive", outcome, waiveObligation = new { obligation } } });

        var missing = await _gateway.SendAsync(HttpMethod.Post, $"/v1/{convention}/meetings/copil:recordDecision", Admin, Waiver("d-missing", "obligations/o-nothing", "REJECTED"));
        var ofAnother = await _gateway.SendAsync(HttpMethod.Post, $"/v1/{convention}/meetings/copil:recordDecision", Admin, Waiver("d-foreign", foreign));
        var met = await _gateway.SendAsync(HttpMethod.Post, $"/v1/{convention}/meetings/copil:recordDecision", Admin, Waiver("d-fulfilled", fulfilled));

        Assert.Equal(["decision.waiveObligation.obligation"], Gateway.Fields(await Gateway.AssertStatusAsync(missing, HttpStatusCode.BadRequest, 3)));
        Assert.Equal(["decision.waiveObligation.obligation"], Gateway.Fields(await Gateway.AssertStatusAsync(ofAnother, HttpStatusCode.BadRequest, 3)));
        Assert.Equal([("OBLIGATION_NOT_WAIVABLE", fulfilled)], Gateway.Violations(await Gateway.AssertStatusAsync(met, HttpStatusCode.BadRequest, 9)));
        Assert.False((await _gateway.OkAsync(HttpMethod.Get, $"/v1/{convention}/meetings/copil", Observer)).TryGetProperty("decisions", out _));
        Assert.Equal("FULFILLED", Text(await _gateway.OkAsync(HttpMethod.Get, "/v1/" + fulfilled, Observer), "status"));

        await _gateway.OkAsync(HttpMethod.Post, $"/v1/{convention}/meetings/copil:recordDecision", Admin, Waiver("d1", waived));

        var after = await ObligationsWhenAsync($"convention = \"{convention}\" AND status = WAIVED", list => list.Count == 1);
        Assert.Equal(waived, Text(after[0], "name"));
    }

    [Fact]
    public async Task AnAmendmentOfOneClause_KeepsOneLiveObligationPerClauseSlotAndYear_ClosedYearsAsTheyWere_AndTheSuccessorCountsTheSessionHeld()
    {
        var convention = await InForceAsync("amended-clause", trainingTarget: "1");
        var before = await ObligationsWhenAsync($"convention = \"{convention}\"", list => list.Count == 4);
        var closedYear = before.Single(o => Text(o, "clauseId") == "training" && StartOf(o) == "2025-09-01");
        var runningYear = before.Single(o => Text(o, "clauseId") == "training" && StartOf(o) == "2026-09-01");
        var closedSession = await SessionAsync(Text(closedYear, "name"), "2025-10-01");
        var runningSession = await SessionAsync(Text(runningYear, "name"), "2026-10-12");

        await AmendAsync(convention, "avenant-1", $$"""{"upsertArticles":[{{Training(2)}}]}""", "parties/aca-reims", "parties/dep-51");

        var after = await ObligationsWhenAsync($"convention = \"{convention}\"", list => list.Count == 5);
        var successor = after.Single(o => IsLive(o) && Text(o, "clauseId") == "training" && StartOf(o) == "2026-09-01");
        var superseded = await _gateway.OkAsync(HttpMethod.Get, "/v1/" + Text(runningYear, "name"), Observer);
        Assert.Equal(("SUPERSEDED", Text(successor, "name")), (Text(superseded, "status"), Text(superseded, "supersededBy")));
        Assert.Equal((2L, 1L, Text(runningYear, "name"), 2), (successor.GetProperty("target").GetInt64(), successor.GetProperty("achieved").GetInt64(), Text(successor, "supersedes"), successor.GetProperty("conventionRevision").GetInt32()));
        var counted = Assert.Single((await _gateway.OkAsync(HttpMethod.Get, $"/v1/{Text(successor, "name")}/evidence", Observer)).GetProperty("evidence").EnumerateArray());
        Assert.Equal((runningSession, Text(runningYear, "name")), (Text(counted, "name"), Text(counted, "inheritedFrom")));
        var closed = after.Single(o => Text(o, "name") == Text(closedYear, "name"));
        Assert.Equal(("FULFILLED", 1L), (Text(closed, "status"), closed.GetProperty("achieved").GetInt64()));
        Assert.Equal(closedSession, Text(Assert.Single((await _gateway.OkAsync(HttpMethod.Get, $"/v1/{Text(closedYear, "name")}/evidence", Observer)).GetProperty("evidence").EnumerateArray()), "name"));
        Assert.Equal(
            before.Where(o => Text(o, "clauseId") == "financing").Select(o => Text(o, "name")).Order(),
            after.Where(o => Text(o, "clauseId") == "financing").Select(o => Text(o, "name")).Order());

        // The clocks run on: planning the new revision again makes nothing (it made a second obligation per period).
        var watched = Stopwatch.StartNew();
        while (watched.Elapsed < 3 * SuiteFixture.ClockInterval)
        {
            var now = await ObligationsWhenAsync($"convention = \"{convention}\"", _ => true);
            Assert.Equal(5, now.Count);
            AssertOneLivePerIdentity(now);
            await Task.Delay(SuiteFixture.ClockInterval / 3);
        }
    }

    [Fact]
    public async Task OneDepartementsTargetChange_SupersedesOnlyThatDepartementsRunningObligation()
    {
        var convention = await InForceAsync("one-departement", moreCollectivities: ["parties/dep-52"]);
        var before = await ObligationsWhenAsync($"convention = \"{convention}\" AND kind = FINANCING", list => list.Count == 4);

        await AmendAsync(convention, "part-52", $$"""{"upsertArticles":[{{Financing(new[] { new { party = "parties/dep-52", target = 800000 } })}}]}""",
            "parties/aca-reims", "parties/dep-51", "parties/dep-52");

        var after = await ObligationsWhenAsync($"convention = \"{convention}\" AND kind = FINANCING", list => list.Count == 5);
        var superseded = Assert.Single(after, o => !IsLive(o));
        Assert.Equal(("parties/dep-52", "2026-09-01"), (Text(superseded, "obligor"), StartOf(superseded)));
        var successor = after.Single(o => Text(o, "supersedes") == Text(superseded, "name"));
        Assert.Equal(800000, successor.GetProperty("target").GetInt64());

        // Superseded by the obligations service handling the amendment: the history names who signed it last.
        var told = (await _gateway.OkAsync(HttpMethod.Get, $"/v1/{Text(superseded, "name")}:history", Observer)).GetProperty("entries").EnumerateArray().Last();
        Assert.Equal(("ObligationStatusChanged", "key:dev-admin"), (told.GetProperty("type").GetString(), told.GetProperty("actor").GetProperty("subject").GetString()));
        await using var redis = await ConnectionMultiplexer.ConnectAsync((await suite.App.GetConnectionStringAsync("redis"))!);
        var written = (await redis.GetDatabase().StreamRangeAsync("obligations:events")).Select(e => EventFormat.Parse(e["event"]!)).Single(e => e.Id == told.GetProperty("eventId").GetString());
        Assert.Equal("service:obligations", written["actorsubject"]);
        var cause = (await redis.GetDatabase().StreamRangeAsync("conventions:events")).Select(e => EventFormat.Parse(e["event"]!)).Single(e => e.Id == (string?)written["causationid"]);
        Assert.Equal(("ent.partnership.conventions.v1.ConventionAmended", "key:dev-admin"), (cause.Type, cause["actorsubject"]));
        Assert.Equal(
            before.Where(o => Text(o, "name") != Text(superseded, "name")).Select(o => Text(o, "name")).Order(),
            after.Where(o => IsLive(o) && Text(o, "name") != Text(successor, "name")).Select(o => Text(o, "name")).Order());
    }

    [Fact]
    public async Task ATerminationScheduledNextYear_LeavesTheConventionInForce_UntilCancelled_AndBadTerminationsGetTheirAnswer()
    {
        var convention = await InForceAsync("terminated-later", endDate: "2028-08-31");
        var before = await ObligationsWhenAsync($"convention = \"{convention}\"", list => list.Count == 6);

        var scheduled = await _gateway.OkAsync(HttpMethod.Post, $"/v1/{convention}:terminate", Admin, """{"reason":"Fin anticipée","effectiveDate":"2027-06-30"}""");
        var replaced = await _gateway.OkAsync(HttpMethod.Post, $"/v1/{convention}:terminate", Admin, """{"reason":"Fin anticipée","effectiveDate":"2027-12-31"}""");

        Assert.Equal(("IN_FORCE", "2027-06-30"), (Text(scheduled, "state"), Text(scheduled.GetProperty("termination"), "effectiveDate")));
        Assert.Equal(("IN_FORCE", "2027-12-31"), (Text(replaced, "state"), Text(replaced.GetProperty("termination"), "effectiveDate")));
        Assert.All(await ObligationsWhenAsync($"convention = \"{convention}\"", _ => true), o => Assert.Equal("", Text(o, "settledOn")));
        Assert.Equal(before.Count, (await ObligationsWhenAsync($"convention = \"{convention}\"", _ => true)).Count);

        var bad = new (string Body, string Refusal)[]
        {
            ("""{"reason":"Fin","effectiveDate":"2027-02-30"}""", "effectiveDate"),
            ("""{"reason":"Fin","effectiveDate":"2020-01-01"}""", "effectiveDate"),
            ("""{"reason":"Fin","effectiveDate":"2028-09-01"}""", "AFTER_END_DATE"),
            ("""{"reason":"","effectiveDate":"2027-06-30"}""", "reason"),
            (JsonSerializer.Serialize(new { reason = new string('x', 2001), effectiveDate = "2027-06-30" }), "reason"),
        };
        foreach (var (body, refusal) in bad)
        {
            var details = await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Post, $"/v1/{convention}:terminate", Admin, body), HttpStatusCode.BadRequest,
                refusal == "AFTER_END_DATE" ? 9 : 3);
            Assert.Contains(refusal, Gateway.Fields(details).Concat(Gateway.Violations(details).Select(v => v.Type)));
        }

        var cancelled = await _gateway.OkAsync(HttpMethod.Post, $"/v1/{convention}:cancelTermination", Admin, """{"reason":"Le partenariat continue"}""");
        var again = await _gateway.SendAsync(HttpMethod.Post, $"/v1/{convention}:cancelTermination", Admin, """{"reason":"Le partenariat continue"}""");

        Assert.False(cancelled.TryGetProperty("termination", out _));
        Assert.Equal(["NO_TERMINATION_SCHEDULED"], Gateway.Violations(await Gateway.AssertStatusAsync(again, HttpStatusCode.BadRequest, 9)).Select(v => v.Type));
    }

    [Fact]
    public async Task ATerminationDatedToday_SettlesTheRunningYear_CancelsTheLaterOnes_AndTheReportCountsThem()
    {
        var convention = await InForceAsync("terminated-today", trainingTarget: "1", endDate: "2028-08-31");
        var obligations = await ObligationsWhenAsync($"convention = \"{convention}\"", list => list.Count == 6);
        await SessionAsync(Text(obligations.Single(o => Text(o, "clauseId") == "training" && StartOf(o) == "2026-09-01"), "name"), "2026-10-12");
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        await _gateway.OkAsync(HttpMethod.Post, $"/v1/{convention}:terminate", Admin, """{"reason":"Fin","effectiveDate":"2027-06-30"}""");
        var terminated = await _gateway.OkAsync(HttpMethod.Post, $"/v1/{convention}:terminate", Admin, $$"""{"reason":"Fin du partenariat","effectiveDate":"{{today}}"}""");
        var ended = await _gateway.SendAsync(HttpMethod.Post, $"/v1/{convention}:terminate", Admin, $$"""{"reason":"Encore","effectiveDate":"{{today}}"}""");

        Assert.Equal(("TERMINATED", today), (Text(terminated, "state"), Text(terminated.GetProperty("termination"), "effectiveDate")));
        Assert.Equal(["WRONG_STATE"], Gateway.Violations(await Gateway.AssertStatusAsync(ended, HttpStatusCode.BadRequest, 9)).Select(v => v.Type));

        var settled = await ObligationsWhenAsync($"convention = \"{convention}\"", list => list.All(o => o.TryGetProperty("settledOn", out _) || StartOf(o) == "2025-09-01"));
        Assert.Equal(
            [("financing", "2025-09-01", "BREACHED"), ("financing", "2026-09-01", "CANCELLED"), ("financing", "2027-09-01", "CANCELLED"),
                ("training", "2025-09-01", "BREACHED"), ("training", "2026-09-01", "FULFILLED"), ("training", "2027-09-01", "CANCELLED")],
            settled.Select(o => (Text(o, "clauseId"), StartOf(o), Text(o, "status"))).Order());
        Assert.StartsWith($"Résiliée le {today} : 0 sur 500000", Text(settled.Single(o => Text(o, "clauseId") == "financing" && StartOf(o) == "2026-09-01"), "statusReason"));
        var report = await _gateway.OkAsync(HttpMethod.Get, $"/v1/obligations:report?convention={convention}&schoolYear=2026-2027", Observer);
        Assert.Equal((1, 1), (report.GetProperty("counts").GetProperty("cancelled").GetInt32(), report.GetProperty("counts").GetProperty("fulfilled").GetInt32()));
        var later = await _gateway.OkAsync(HttpMethod.Get, $"/v1/obligations?filter={Uri.EscapeDataString($"convention = \"{convention}\" AND status = CANCELLED")}", Observer);
        Assert.Equal(3, later.GetProperty("obligations").GetArrayLength());
    }

    [Fact]
    public async Task QuarterlyAndOnceObligations_AppearInTheReportOfTheSchoolYearTheyStartIn()
    {
        var reporting = Article("8", "Bilans", Clause("reports", "ACADEMIC_AUTHORITY", "REPORTING", "REPORTS", 1, recurrence: "PER_QUARTER"),
            Clause("launch", "COLLECTIVITY", "INFORMATION", "SESSIONS", 1, recurrence: "ONCE"));
        var convention = await InForceAsync("recurrences", effectiveDate: "2025-10-01", endDate: "2026-12-31", articles: [reporting]);
        await ObligationsWhenAsync($"convention = \"{convention}\"", list => list.Count == 6);

        var report = await _gateway.OkAsync(HttpMethod.Get, $"/v1/obligations:report?convention={convention}&schoolYear=2025-2026", Observer);

        var lines = report.GetProperty("parties").EnumerateArray().SelectMany(p => p.GetProperty("obligations").EnumerateArray())
            .Select(l => (Text(l, "clauseId"), l.GetProperty("period").GetProperty("startDate").GetString())).Order();
        Assert.Equal([("launch", "2025-10-01"), ("reports", "2025-10-01"), ("reports", "2026-01-01"), ("reports", "2026-04-01"), ("reports", "2026-07-01")], lines);
        var dueBefore = await ObligationsWhenAsync($"convention = \"{convention}\" AND due_date < \"2026-04-01\"", _ => true);
        Assert.Equal([("reports", "2025-10-01"), ("reports", "2026-01-01")], dueBefore.Select(o => (Text(o, "clauseId"), StartOf(o))).Order());
        var startingInSpring = await ObligationsWhenAsync(
            $"convention = \"{convention}\" AND period_start >= \"2026-01-01\" AND period_start <= \"2026-04-01\" AND update_time > \"2020-01-01T00:00:00Z\"", _ => true);
        Assert.Equal(["2026-01-01", "2026-04-01"], startingInSpring.Select(StartOf).Order());
    }

    [Fact]
    public async Task Evidence_FulfilsTheObligation_AndIsRefusedToAnotherPartyAndOutsideThePeriod()
    {
        await _gateway.OkAsync(HttpMethod.Post, "/v1/parties", Admin,
            """{"kind":"SCHOOL","displayName":"Collège de test","uai":"0519001G","schoolType":"COLLEGE","sector":"PUBLIC","academy":"parties/aca-reims","competentAuthority":"parties/dep-51"}""");
        var convention = await InForceAsync("with-evidence", trainingTarget: "1");
        var obligations = await ObligationsWhenAsync($"convention = \"{convention}\" AND obligor = \"parties/aca-reims\" AND period_start = 2026-09-01", list => list.Count == 1);
        var name = obligations[0].GetProperty("name").GetString();
        const string Session = """{"trainingSession":{"heldOn":"2026-10-12","audience":"TEACHERS","schools":["parties/uai-0519001g"],"participants":14,"hours":3,"modality":"ON_SITE"}}""";

        await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Post, $"/v1/{name}/evidence", "dev-rectorat-nancy-metz-key", Session), HttpStatusCode.Forbidden, 7);
        var outside = await _gateway.SendAsync(HttpMethod.Post, $"/v1/{name}/evidence", Admin, Session.Replace("2026-10-12", "2026-08-31", StringComparison.Ordinal));
        Assert.Equal(["OUTSIDE_PERIOD"], Gateway.Violations(await Gateway.AssertStatusAsync(outside, HttpStatusCode.BadRequest, 9)).Select(v => v.Type));
        var unknownSchool = await _gateway.SendAsync(HttpMethod.Post, $"/v1/{name}/evidence", Admin, Session.Replace("uai-0519001g", "uai-0519999x", StringComparison.Ordinal));
        Assert.Equal(["trainingSession.schools[0]"], Gateway.Fields(await Gateway.AssertStatusAsync(unknownSchool, HttpStatusCode.BadRequest, 3)));

        await _gateway.OkAsync(HttpMethod.Post, $"/v1/{name}/evidence", Admin, Session);

        var fulfilled = await _gateway.OkAsync(HttpMethod.Get, $"/v1/{name}", Observer);
        Assert.Equal(("FULFILLED", 1), (fulfilled.GetProperty("status").GetString(), fulfilled.GetProperty("achieved").GetInt32()));
        var evidence = await _gateway.OkAsync(HttpMethod.Get, $"/v1/{name}/evidence", Observer);
        var listed = Assert.Single(evidence.GetProperty("evidence").EnumerateArray());
        var got = await _gateway.OkAsync(HttpMethod.Get, $"/v1/{Text(listed, "name")}", Observer);
        Assert.Equal(listed.GetRawText(), got.GetRawText());
        await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Get, $"/v1/{name}/evidence/e-nothing", Observer), HttpStatusCode.NotFound, 5);
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync((await Aspire.Hosting.Testing.DistributedApplicationHostingTestingExtensions.GetConnectionStringAsync(suite.App, "redis"))!);
        var events = await redis.GetDatabase().StreamRangeAsync("obligations:events");
        Assert.Single(events, e => e["type"] == "ent.partnership.obligations.v1.ObligationFulfilled" && Ent.Partnership.Storage.EventFormat.Parse(e["event"]!).Subject == name);

        var report = await _gateway.OkAsync(HttpMethod.Get, $"/v1/obligations:report?convention={convention}&schoolYear=2026-2027", Observer);
        var academy = report.GetProperty("parties").EnumerateArray().Single(p => p.GetProperty("party").GetString() == "parties/aca-reims");
        var line = academy.GetProperty("obligations").EnumerateArray().Single();
        Assert.Equal((1, 1, "FULFILLED"), (line.GetProperty("target").GetInt32(), line.GetProperty("achieved").GetInt32(), line.GetProperty("status").GetString()));
        Assert.Equal(1, academy.GetProperty("counts").GetProperty("fulfilled").GetInt32());
        var coverage = report.GetProperty("coverage");
        Assert.Equal(1, coverage.GetProperty("reached").GetInt32());
        Assert.Equal(1.0 / coverage.GetProperty("schools").GetInt32(), coverage.GetProperty("share").GetDouble(), 3);
    }

    [Fact]
    public async Task ATicket_RunsItsServiceLevelClocks_AndCountsForTheAssistanceObligation()
    {
        await _gateway.OkAsync(HttpMethod.Post, "/v1/parties", Admin,
            """{"kind":"SCHOOL","displayName":"Collège de Sélestat","uai":"0679010E","schoolType":"COLLEGE","sector":"PUBLIC","academy":"parties/aca-strasbourg","competentAuthority":"parties/cea"}""");
        var assistance = (await ObligationsWhenAsync("obligor = \"parties/aca-strasbourg\" AND kind = ASSISTANCE AND period_start = 2026-09-01", list => list.Count == 1))[0];
        var ticketJson = JsonSerializer.Serialize(new
        {
            obligation = assistance.GetProperty("name").GetString(),
            school = "parties/uai-0679010e",
            level = "N1",
            summary = "Messagerie inaccessible",
            // Friday 20 November 2026, 09:00 in Paris; the sample's service level gives 8 business hours to respond.
            openedAt = "2026-11-20T08:00:00Z",
        });

        await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Post, "/v1/tickets", "dev-rectorat-nancy-metz-key", ticketJson), HttpStatusCode.Forbidden, 7);
        var ticket = await _gateway.OkAsync(HttpMethod.Post, "/v1/tickets", "dev-rectorat-strasbourg-key", ticketJson);
        var name = ticket.GetProperty("name").GetString();
        Assert.Equal(("NEW", "2026-11-20T16:00:00Z"), (ticket.GetProperty("state").GetString(), ticket.GetProperty("sla").GetProperty("ttoDue").GetString()));

        await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Post, $"/v1/{name}:respond", "dev-rectorat-nancy-metz-key", "{}"), HttpStatusCode.Forbidden, 7);
        await _gateway.OkAsync(HttpMethod.Post, $"/v1/{name}:respond", "dev-rectorat-strasbourg-key", "{}");
        var solved = await _gateway.OkAsync(HttpMethod.Post, $"/v1/{name}:solve", "dev-rectorat-strasbourg-key", "{}");
        var wrongStep = await _gateway.SendAsync(HttpMethod.Post, $"/v1/{name}:resume", "dev-rectorat-strasbourg-key", "{}");

        Assert.Equal("SOLVED", solved.GetProperty("state").GetString());
        Assert.False(solved.GetProperty("sla").GetProperty("ttoMet").GetBoolean());
        Assert.Equal(["WRONG_STATE"], Gateway.Violations(await Gateway.AssertStatusAsync(wrongStep, HttpStatusCode.BadRequest, 9)).Select(v => v.Type));
        var obligation = await _gateway.OkAsync(HttpMethod.Get, "/v1/" + assistance.GetProperty("name").GetString(), Observer);
        Assert.Equal((1, "AT_RISK"), (obligation.GetProperty("ticketsCounted").GetInt32(), obligation.GetProperty("status").GetString()));
        var listed = await _gateway.OkAsync(HttpMethod.Get, "/v1/tickets?filter=state%20%3D%20SOLVED", Observer);
        Assert.Contains(listed.GetProperty("tickets").EnumerateArray(), t => t.GetProperty("name").GetString() == name);
        var opened = "opened_at >= \"2026-11-20T09:00:00+01:00\" AND opened_at < \"2026-11-20T08:00:01Z\"";
        var window = await _gateway.OkAsync(HttpMethod.Get, "/v1/tickets?filter=" + Uri.EscapeDataString(opened), Observer);
        Assert.Contains(window.GetProperty("tickets").EnumerateArray(), t => t.GetProperty("name").GetString() == name);
        var after = await _gateway.OkAsync(HttpMethod.Get, "/v1/tickets?filter=" + Uri.EscapeDataString("opened_at > \"2026-11-20T08:00:00Z\""), Observer);
        Assert.DoesNotContain(after.TryGetProperty("tickets", out var later) ? later.EnumerateArray().ToList() : [], t => t.GetProperty("name").GetString() == name);
    }

    [Theory]
    [InlineData("/v1/obligations:report?convention=conventions/mbn-grand-est&schoolYear=2019", "schoolYear")]
    [InlineData("/v1/obligations:report?convention=mbn&schoolYear=2019-2020", "convention")]
    [InlineData("/v1/obligations?filter=period_start%20%3D%20soon", "filter")]
    [InlineData("/v1/obligations?filter=due_date%20%3C%20%2231%2F01%2F2027%22", "filter")]
    [InlineData("/v1/obligations?filter=obligor%20%3E%20%22parties%2Fdep-51%22", "filter")]
    [InlineData("/v1/obligations?filter=due_date%20%3D%3E%20%222027-01-31%22", "filter")]
    [InlineData("/v1/tickets?filter=opened_at%20%3E%3D%20%222026-12-01%22", "filter")]
    public async Task ABadReportOrListRequest_Gets400_NamingTheField(string path, string field) =>
        Assert.Equal([field], Gateway.Fields(await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Get, path, Observer), HttpStatusCode.BadRequest, 3)));

    [Fact]
    public async Task AnUnknownObligation_Is404() =>
        await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Get, "/v1/obligations/o-nothing", Observer), HttpStatusCode.NotFound, 5);
}
