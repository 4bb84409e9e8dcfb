using System.Net;
using System.Text.Json;

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

    private static string Clause(string id, string role, string kind, string metric, long target) =>
        JsonSerializer.Serialize(new { obligation = new { clauseId = id, obligorRole = role, kind, metric, target, recurrence = "PER_SCHOOL_YEAR" } });

    private async Task<string> InForceAsync(string id, string trainingTarget = "6")
    {
        var training = Clause("training", "ACADEMIC_AUTHORITY", "TRAINING", "SESSIONS", long.Parse(trainingTarget, System.Globalization.CultureInfo.InvariantCulture));
        var financing = Clause("financing", "COLLECTIVITY", "FINANCING", "AMOUNT_CENTS", 500000);
        var draft = """
            {"title":"Convention à obligations","effectiveDate":"2025-09-01","endDate":"2027-08-31",
             "signatories":[{"party":"parties/aca-reims","role":"ACADEMIC_AUTHORITY"},{"party":"parties/dep-51","role":"COLLECTIVITY"}],
             "articles":[{"number":"4","title":"Formation","clauses":[TRAINING]},{"number":"6","title":"Financement","clauses":[FINANCING]}]}
            """.Replace("TRAINING", training, StringComparison.Ordinal).Replace("FINANCING", financing, StringComparison.Ordinal);
        await _gateway.OkAsync(HttpMethod.Post, $"/v1/conventions?conventionId={id}", Admin, draft);
        await _gateway.OkAsync(HttpMethod.Post, $"/v1/conventions/{id}:submit", Admin, "{}");
        await _gateway.OkAsync(HttpMethod.Post, $"/v1/conventions/{id}/signatures", Admin, """{"party":"parties/aca-reims","signatoryName":"Le Recteur","signedOn":"2025-08-20"}""");
        await _gateway.OkAsync(HttpMethod.Post, $"/v1/conventions/{id}/signatures", Admin, """{"party":"parties/dep-51","signatoryName":"Le Président","signedOn":"2025-08-21"}""");
        return "conventions/" + id;
    }

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
    public async Task AWaiveDecision_WaivesTheObligation()
    {
        var convention = await InForceAsync("waived");
        var obligations = await ObligationsWhenAsync($"convention = \"{convention}\" AND obligor = \"parties/dep-51\"", list => list.Count == 2);
        var waived = obligations[0].GetProperty("name").GetString();
        await _gateway.OkAsync(HttpMethod.Post, $"/v1/{convention}/meetings?meetingId=copil", Admin,
            """{"body":"STEERING_COMMITTEE","kind":"ORDINARY","scheduledAt":"2026-10-01T08:00:00Z","agenda":[{"itemId":"waive","title":"Levée"}]}""");
        await _gateway.OkAsync(HttpMethod.Post, $"/v1/{convention}/meetings/copil:hold", Admin,
            """{"attendance":[{"party":"parties/aca-reims","status":"PRESENT"},{"party":"parties/dep-51","status":"PRESENT"}]}""");

        await _gateway.OkAsync(HttpMethod.Post, $"/v1/{convention}/meetings/copil:recordDecision", Admin,
            JsonSerializer.Serialize(new { decision = new { decisionId = "d1", itemId = "waive", outcome = "APPROVED", waiveObligation = new { obligation = waived } } }));

        var after = await ObligationsWhenAsync($"convention = \"{convention}\" AND status = WAIVED", list => list.Count == 1);
        Assert.Equal(waived, after[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task AnAmendmentOfAClause_SupersedesItsObligations_AndMakesNewOnes()
    {
        var convention = await InForceAsync("amended-clause");
        await ObligationsWhenAsync($"convention = \"{convention}\"", list => list.Count == 4);
        var article = """{"number":"4","title":"Formation","clauses":[CLAUSE]}""".Replace("CLAUSE", Clause("training", "ACADEMIC_AUTHORITY", "TRAINING", "SESSIONS", 9), StringComparison.Ordinal);
        await _gateway.OkAsync(HttpMethod.Post, $"/v1/{convention}/amendments?amendmentId=avenant-1", Admin, """{"title":"Avenant","changes":{"upsertArticles":[ARTICLE]}}""".Replace("ARTICLE", article, StringComparison.Ordinal));
        await _gateway.OkAsync(HttpMethod.Post, $"/v1/{convention}/amendments/avenant-1:submit", Admin, "{}");
        await _gateway.OkAsync(HttpMethod.Post, $"/v1/{convention}/amendments/avenant-1/signatures", Admin, """{"party":"parties/aca-reims","signatoryName":"Le Recteur","signedOn":"2026-11-01"}""");
        await _gateway.OkAsync(HttpMethod.Post, $"/v1/{convention}/amendments/avenant-1/signatures", Admin, """{"party":"parties/dep-51","signatoryName":"Le Président","signedOn":"2026-11-02"}""");

        var all = await ObligationsWhenAsync($"convention = \"{convention}\"", list => list.Count == 6);

        var training = all.Where(o => o.GetProperty("clauseId").GetString() == "training").ToList();
        Assert.Equal(2, training.Count(o => o.GetProperty("status").GetString() == "SUPERSEDED" && o.GetProperty("target").GetInt64() == 6));
        Assert.Equal(2, training.Count(o => o.GetProperty("conventionRevision").GetInt32() == 2 && o.GetProperty("target").GetInt64() == 9));
        Assert.All(all.Where(o => o.GetProperty("clauseId").GetString() == "financing"), o => Assert.NotEqual("SUPERSEDED", o.GetProperty("status").GetString()));
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
        Assert.Single(evidence.GetProperty("evidence").EnumerateArray());
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync((await Aspire.Hosting.Testing.DistributedApplicationHostingTestingExtensions.GetConnectionStringAsync(suite.App, "redis"))!);
        var events = await redis.GetDatabase().StreamRangeAsync("obligations:events");
        Assert.Single(events, e => e["type"] == "ent.partnership.obligations.v1.ObligationFulfilled" && Ent.Partnership.Redis.EventFormat.Parse(e["event"]!).Subject == name);

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
    }

    [Theory]
    [InlineData("/v1/obligations:report?convention=conventions/mbn-grand-est&schoolYear=2019", "schoolYear")]
    [InlineData("/v1/obligations:report?convention=mbn&schoolYear=2019-2020", "convention")]
    [InlineData("/v1/obligations?filter=period_start%20%3D%20soon", "filter")]
    public async Task ABadReportOrListRequest_Gets400_NamingTheField(string path, string field) =>
        Assert.Equal([field], Gateway.Fields(await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Get, path, Observer), HttpStatusCode.BadRequest, 3)));

    [Fact]
    public async Task AnUnknownObligation_Is404() =>
        await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Get, "/v1/obligations/o-nothing", Observer), HttpStatusCode.NotFound, 5);
}
