using System.Net;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Ent.Partnership.Storage;
using StackExchange.Redis;

namespace Ent.Partnership.Suite.Tests;

/// <summary>A convention's life through the gateway's REST alone, as SPEC section 5 describes it.</summary>
[Collection(SuiteFixture.Collection)]
public sealed class ConventionsThroughGatewayTests(SuiteFixture suite) : IClassFixture<SuiteFixture>
{
    private const string Admin = "dev-admin-key";
    private const string Moselle = "dev-moselle-key";
    private const string Region = "dev-region-key";
    private const string Cea = "dev-cea-key";
    private const string NancyMetz = "dev-rectorat-nancy-metz-key";
    private const string Strasbourg = "dev-rectorat-strasbourg-key";
    private const string Observer = "dev-observer-key";

    private readonly Gateway _gateway = new(suite.Gateway);

    private static string Draft(string academy, params (string Party, string Role, bool Deliberates)[] collectivities)
    {
        var signatories = new List<object> { new { party = academy, role = "ACADEMIC_AUTHORITY" } };
        signatories.AddRange(collectivities.Select(c => new { party = c.Party, role = c.Role, requiresDeliberation = c.Deliberates }));
        return JsonSerializer.Serialize(new
        {
            title = "Convention ENT de test",
            effectiveDate = "2026-09-01",
            signatories,
            articles = new[] { new { number = "1", title = "Objet", text = "Le déploiement de l'ENT." } },
        });
    }

    private static string Decision(string outcome = "ADOPTED", string date = "2026-10-05") =>
        $$"""{"stage":"DECISION","body":"Commission Permanente","reference":"CP/2026/42","date":"{{date}}","outcome":"{{outcome}}"}""";

    private const string Signature = """{"signatoryName":"Le Président","signedOn":"2026-10-20","place":"Metz"}""";

    private async Task<string> SubmittedAsync(string id, string draft)
    {
        await _gateway.OkAsync(HttpMethod.Post, $"/v1/conventions?conventionId={id}", Admin, draft);
        await _gateway.OkAsync(HttpMethod.Post, $"/v1/conventions/{id}:submit", Admin, "{}");
        return "/v1/conventions/" + id;
    }

    private async Task<IEnumerable<(string Type, string Subject, bool Blocking)>> ReadinessAsync(string path)
    {
        var readiness = await _gateway.OkAsync(HttpMethod.Get, path + ":readiness", Admin);
        return readiness.TryGetProperty("unmetConditions", out var conditions)
            ? conditions.EnumerateArray().Select(c => (c.GetProperty("type").GetString()!, c.GetProperty("subject").GetString()!, c.TryGetProperty("blocking", out var b) && b.GetBoolean())).ToList()
            : [];
    }

    [Fact]
    public async Task AThreePartyConvention_GoesFromDraftToForce_ThroughRestAlone()
    {
        var path = await SubmittedAsync("walk", Draft("parties/aca-nancy-metz", ("parties/dep-57", "COLLECTIVITY", true), ("parties/region-grand-est", "COORDINATOR", true)));
        await using var redis = await ConnectionMultiplexer.ConnectAsync((await suite.App.GetConnectionStringAsync("redis"))!);

        Assert.Equal(
            [("DELIBERATION_MISSING", "parties/dep-57", true), ("DELIBERATION_MISSING", "parties/region-grand-est", true)],
            await ReadinessAsync(path));

        var moselle = await _gateway.OkAsync(HttpMethod.Post, path + "/deliberations", Moselle, Decision());
        Assert.Equal("parties/dep-57", moselle.GetProperty("party").GetString());
        await _gateway.OkAsync(HttpMethod.Post, path + "/deliberations", Region, Decision());
        var moselleDecision = moselle.GetProperty("name").GetString();
        await _gateway.OkAsync(HttpMethod.Patch, $"/v1/{moselleDecision}?updateMask=prefectureAcknowledgedOn", Moselle, """{"prefectureAcknowledgedOn":"2026-10-09"}""");

        Assert.Equal(
            [("SIGNATURE_MISSING", "parties/aca-nancy-metz", true), ("SIGNATURE_MISSING", "parties/dep-57", true),
             ("SIGNATURE_MISSING", "parties/region-grand-est", true), ("TRANSMISSION_MISSING", "parties/region-grand-est", false)],
            await ReadinessAsync(path));

        await _gateway.OkAsync(HttpMethod.Post, path + "/signatures", NancyMetz, Signature);
        await _gateway.OkAsync(HttpMethod.Post, path + "/signatures", Moselle, Signature);
        Assert.Equal([("SIGNATURE_MISSING", "parties/region-grand-est", true), ("TRANSMISSION_MISSING", "parties/region-grand-est", false)], await ReadinessAsync(path));
        await _gateway.OkAsync(HttpMethod.Post, path + "/signatures", Region, Signature);

        var convention = await _gateway.OkAsync(HttpMethod.Get, path, Admin);
        Assert.Equal("IN_FORCE", convention.GetProperty("state").GetString());
        Assert.Empty(await ReadinessAsync(path));
        var events = await redis.GetDatabase().StreamRangeAsync("conventions:events");
        Assert.Single(events, e => e["type"] == "ent.partnership.conventions.v1.ConventionInForce"
            && EventFormat.Parse(e["event"]!).Subject == "conventions/walk");
    }

    [Fact]
    public async Task AConventionsHistory_TellsAnObserverWhoDidWhat_InOrder_WithTheUpdatesChanges()
    {
        await _gateway.OkAsync(HttpMethod.Post, "/v1/conventions?conventionId=told", Admin,
            Draft("parties/aca-nancy-metz", ("parties/dep-57", "COLLECTIVITY", true)));
        await _gateway.OkAsync(HttpMethod.Patch, "/v1/conventions/told?updateMask=title", Admin, """{"title":"Convention ENT de la Moselle"}""");
        await _gateway.OkAsync(HttpMethod.Post, "/v1/conventions/told:submit", Admin, "{}");
        await _gateway.OkAsync(HttpMethod.Post, "/v1/conventions/told/deliberations", Moselle, Decision());
        await _gateway.OkAsync(HttpMethod.Post, "/v1/conventions/told/signatures", NancyMetz, Signature);
        await _gateway.OkAsync(HttpMethod.Post, "/v1/conventions/told/signatures", Moselle, Signature);

        var entries = new List<JsonElement>();
        var token = "";
        do
        {
            // Two entries a page, so that the pages are followed too.
            var page = await _gateway.OkAsync(HttpMethod.Get, $"/v1/conventions/told:history?pageSize=2&pageToken={token}", Observer);
            entries.AddRange(page.GetProperty("entries").EnumerateArray());
            token = page.TryGetProperty("nextPageToken", out var next) ? next.GetString()! : "";
        }
        while (token.Length > 0);

        Assert.Equal(
            [
                ("ConventionCreated", "", "key:dev-admin"),
                ("ConventionUpdated", "", "key:dev-admin"),
                ("ConventionSubmitted", "", "key:dev-admin"),
                ("DeliberationRecorded", "parties/dep-57", "key:dev-moselle"),
                ("SignatureRecorded", "parties/aca-nancy-metz", "key:dev-rectorat-nancy-metz"),
                ("SignatureRecorded", "parties/dep-57", "key:dev-moselle"),
                ("ConventionInForce", "parties/dep-57", "key:dev-moselle"),
            ],
            entries.Select(e => (e.GetProperty("type").GetString(), Party(e), e.GetProperty("actor").GetProperty("subject").GetString())));
        Assert.All(entries, e => Assert.EndsWith(".", e.GetProperty("summary").GetString(), StringComparison.Ordinal));
        Assert.Contains("Convention ENT de test", entries[0].GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Contains("parties/dep-57", entries[3].GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal("Convention entrée en vigueur le 2026-09-01.", entries[6].GetProperty("summary").GetString());
        var change = Assert.Single(entries[1].GetProperty("changes").EnumerateArray());
        Assert.Equal(("title", "Convention ENT de test", "Convention ENT de la Moselle"),
            (change.GetProperty("field").GetString(), change.GetProperty("before").GetString(), change.GetProperty("after").GetString()));
        Assert.Equal(entries.Select(e => e.GetProperty("time").GetDateTimeOffset()).Order(), entries.Select(e => e.GetProperty("time").GetDateTimeOffset()));

        await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Get, "/v1/conventions/told:history?pageToken=" + token + "forged", Observer), HttpStatusCode.BadRequest, 3);
        await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Get, "/v1/conventions/never-made:history", Observer), HttpStatusCode.NotFound, 5);
    }

    private static string Party(JsonElement entry) =>
        entry.GetProperty("actor").TryGetProperty("party", out var party) ? party.GetString()! : "";

    [Fact]
    public async Task EveryEventWritten_NamesNoKeyNorItsHash()
    {
        // The keys as configured (gateway/appsettings.Development.json) and the SHA-256 production holds instead.
        var keys = new[]
        {
            "dev-admin-key", "dev-region-key", "dev-cea-key", "dev-moselle-key", "dev-rectorat-strasbourg-key",
            "dev-rectorat-nancy-metz-key", "dev-ent-key", "dev-observer-key",
        };
        var secrets = keys.Concat(keys.Select(k => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(k))))).ToList();
        await _gateway.OkAsync(HttpMethod.Post, "/v1/conventions?conventionId=secretless", Admin, Draft("parties/aca-nancy-metz", ("parties/dep-57", "COLLECTIVITY", true)));
        await _gateway.OkAsync(HttpMethod.Post, "/v1/conventions/secretless:submit", Admin, "{}");
        await _gateway.OkAsync(HttpMethod.Post, "/v1/conventions/secretless/deliberations", Moselle, Decision());
        await using var redis = await ConnectionMultiplexer.ConnectAsync((await suite.App.GetConnectionStringAsync("redis"))!);
        var db = redis.GetDatabase();
        var written = 0;
        foreach (var stream in new[] { "parties:events", "conventions:events", "obligations:events", "communications:events" })
        {
            foreach (var entry in await db.StreamRangeAsync(stream))
            {
                var text = entry["event"].ToString();
                written++;
                Assert.DoesNotContain(secrets, secret => text.Contains(secret, StringComparison.Ordinal));
                Assert.NotNull(EventFormat.Parse(text)["actorsubject"]);
            }
        }

        Assert.True(written > 10, $"Only {written} events read.");
    }

    [Fact]
    public async Task ARejectedDecision_BlocksUntilReopen()
    {
        var path = await SubmittedAsync("rejected", Draft("parties/aca-nancy-metz", ("parties/dep-57", "COLLECTIVITY", true)));
        await _gateway.OkAsync(HttpMethod.Post, path + "/deliberations", Moselle, Decision("REJECTED"));

        var again = await _gateway.SendAsync(HttpMethod.Post, path + "/deliberations", Moselle, Decision(date: "2026-10-12"));

        var details = await Gateway.AssertStatusAsync(again, HttpStatusCode.BadRequest, 9);
        Assert.Equal([("DELIBERATION_REJECTED", "parties/dep-57")], Gateway.Violations(details));
        Assert.Equal([("DELIBERATION_REJECTED", "parties/dep-57", true)], await ReadinessAsync(path));

        var reopened = await _gateway.OkAsync(HttpMethod.Post, path + ":reopen", Admin, """{"reason":"Le texte est revu."}""");
        Assert.Equal("DRAFT", reopened.GetProperty("state").GetString());
        var deliberations = await _gateway.OkAsync(HttpMethod.Get, path + "/deliberations", Admin);
        Assert.All(deliberations.GetProperty("deliberations").EnumerateArray(), d => Assert.True(d.GetProperty("superseded").GetBoolean()));
    }

    [Fact]
    public async Task ASignatureOnAStaleDigest_IsRefused()
    {
        var path = await SubmittedAsync("stale-digest", Draft("parties/aca-nancy-metz"));

        var response = await _gateway.SendAsync(HttpMethod.Post, path + "/signatures", NancyMetz,
            $$"""{"signatoryName":"Le Recteur","signedOn":"2026-10-20","contentDigest":"{{new string('0', 64)}}"}""");

        Assert.Equal([("DIGEST_MISMATCH", "conventions/stale-digest")], Gateway.Violations(await Gateway.AssertStatusAsync(response, HttpStatusCode.BadRequest, 9)));
    }

    [Fact]
    public async Task ASecondSignature_IsAConflict()
    {
        var path = await SubmittedAsync("twice", Draft("parties/aca-nancy-metz", ("parties/region-grand-est", "COORDINATOR", false)));
        await _gateway.OkAsync(HttpMethod.Post, path + "/signatures", NancyMetz, Signature);

        await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Post, path + "/signatures", NancyMetz, Signature), HttpStatusCode.Conflict, 6);
    }

    [Fact]
    public async Task SigningADraft_IsRefused_NamingTheState()
    {
        await _gateway.OkAsync(HttpMethod.Post, "/v1/conventions?conventionId=still-draft", Admin, Draft("parties/aca-nancy-metz"));

        var response = await _gateway.SendAsync(HttpMethod.Post, "/v1/conventions/still-draft/signatures", NancyMetz, Signature);

        Assert.Equal([("WRONG_STATE", "conventions/still-draft")], Gateway.Violations(await Gateway.AssertStatusAsync(response, HttpStatusCode.BadRequest, 9)));
    }

    [Fact]
    public async Task TheCea_DeliberatesAndSigns_InThePlaceOfTheBasRhin()
    {
        var path = await SubmittedAsync("succession", Draft("parties/aca-strasbourg", ("parties/dep-67", "COLLECTIVITY", true), ("parties/dep-68", "COLLECTIVITY", true)));

        var decision = await _gateway.OkAsync(HttpMethod.Post, path + "/deliberations", Cea, Decision());
        await _gateway.OkAsync(HttpMethod.Post, path + "/signatures", Strasbourg, Signature);
        await _gateway.OkAsync(HttpMethod.Post, path + "/signatures", Cea, Signature);

        Assert.Equal("parties/cea", decision.GetProperty("party").GetString());
        Assert.Equal("IN_FORCE", (await _gateway.OkAsync(HttpMethod.Get, path, Admin)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task AnAmendment_IsAdoptedSignedAndApplied_WithTheCeaInTheBasRhinsPlace()
    {
        var path = await SubmittedAsync("to-amend", Draft("parties/aca-strasbourg", ("parties/dep-67", "COLLECTIVITY", true)));
        await _gateway.OkAsync(HttpMethod.Post, path + "/deliberations", Cea, Decision());
        await _gateway.OkAsync(HttpMethod.Post, path + "/signatures", Strasbourg, Signature);
        await _gateway.OkAsync(HttpMethod.Post, path + "/signatures", Cea, Signature);
        var before = await _gateway.OkAsync(HttpMethod.Get, path, Admin);

        var amendment = await _gateway.OkAsync(HttpMethod.Post, path + "/amendments?amendmentId=avenant-1", Admin,
            """{"title":"Avenant n° 1","changes":{"upsertArticles":[{"number":"2","title":"Durée","text":"Jusqu'au 31 août 2030."}],"newEndDate":"2030-08-31"}}""");
        Assert.Equal(("DRAFT", 1), (amendment.GetProperty("state").GetString(), amendment.GetProperty("baseRevision").GetInt32()));
        var submitted = await _gateway.OkAsync(HttpMethod.Post, path + "/amendments/avenant-1:submit", Admin, "{}");
        Assert.Equal("ADOPTION", submitted.GetProperty("state").GetString());
        var readiness = await _gateway.OkAsync(HttpMethod.Get, path + "/amendments/avenant-1:readiness", Admin);
        Assert.Equal("parties/dep-67", readiness.GetProperty("unmetConditions")[0].GetProperty("subject").GetString());

        await _gateway.OkAsync(HttpMethod.Post, path + "/amendments/avenant-1/deliberations", Cea, Decision(date: "2026-10-25"));
        await _gateway.OkAsync(HttpMethod.Post, path + "/amendments/avenant-1/signatures", Strasbourg, """{"signatoryName":"La Rectrice","signedOn":"2026-10-26"}""");
        await _gateway.OkAsync(HttpMethod.Post, path + "/amendments/avenant-1/signatures", Cea, """{"signatoryName":"Le Président","signedOn":"2026-10-27"}""");

        var applied = await _gateway.OkAsync(HttpMethod.Get, path + "/amendments/avenant-1", Admin);
        var after = await _gateway.OkAsync(HttpMethod.Get, path, Admin);
        Assert.Equal(("APPLIED", 2), (applied.GetProperty("state").GetString(), applied.GetProperty("appliedRevision").GetInt32()));
        Assert.Equal((2, "2030-08-31"), (after.GetProperty("revision").GetInt32(), after.GetProperty("endDate").GetString()));
        Assert.NotEqual(before.GetProperty("contentDigest").GetString(), after.GetProperty("contentDigest").GetString());
        Assert.Equal("IN_FORCE", after.GetProperty("state").GetString());
        await using var redis = await ConnectionMultiplexer.ConnectAsync((await suite.App.GetConnectionStringAsync("redis"))!);
        var events = await redis.GetDatabase().StreamRangeAsync("conventions:events");
        Assert.Single(events, e => e["type"] == "ent.partnership.conventions.v1.ConventionAmended" && EventFormat.Parse(e["event"]!).Subject == "conventions/to-amend");

        var history = (await _gateway.OkAsync(HttpMethod.Get, path + "/amendments/avenant-1:history", Observer)).GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(
            ["AmendmentCreated", "AmendmentSubmitted", "DeliberationRecorded", "AmendmentUpdated", "SignatureRecorded", "SignatureRecorded", "AmendmentApplied"],
            history.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal("Avenant passé de l'état ADOPTION à l'état SIGNATURE.", history[3].GetProperty("summary").GetString());
        Assert.Equal(["ConventionAmended", "AmendmentApplied"], (await HistoryTypesAsync(path)).TakeLast(2));
    }

    private async Task<List<string?>> HistoryTypesAsync(string path) =>
        (await _gateway.OkAsync(HttpMethod.Get, path + ":history", Observer)).GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();

    [Fact]
    public async Task TheSampleConvention_IsInForce_WithItsCharterValidatedBySteeringCommittee()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        JsonElement convention;
        while (true)
        {
            var response = await _gateway.SendAsync(HttpMethod.Get, "/v1/conventions/mbn-grand-est", "dev-observer-key");
            if (response.StatusCode == HttpStatusCode.OK && (convention = await Gateway.JsonOf(response)).GetProperty("state").GetString() == "IN_FORCE")
            {
                break;
            }

            await Task.Delay(250, timeout.Token);
        }

        var charter = convention.GetProperty("charterStatus");
        Assert.Equal(("annexe-1", "2019-09-16"), (charter.GetProperty("annexId").GetString(), charter.GetProperty("validatedOn").GetString()));
        var listed = await _gateway.OkAsync(HttpMethod.Get, "/v1/conventions?filter=party%20%3D%20%22parties%2Fdep-67%22%20AND%20state%20%3D%20IN_FORCE", "dev-observer-key");
        Assert.Contains(listed.GetProperty("conventions").EnumerateArray(), c => c.GetProperty("name").GetString() == "conventions/mbn-grand-est");
        var deliberations = await _gateway.OkAsync(HttpMethod.Get, "/v1/conventions/mbn-grand-est/deliberations?pageSize=100", "dev-observer-key");
        Assert.Contains(deliberations.GetProperty("deliberations").EnumerateArray(),
            d => d.GetProperty("reference").GetString() == "CP/2019/538" && d.GetProperty("party").GetString() == "parties/dep-67");
    }

    [Fact]
    public async Task AMeetingWithoutQuorum_IsRefused_AndOneWithQuorumValidatesTheCharter()
    {
        var draft = JsonSerializer.Serialize(new
        {
            title = "Convention avec charte",
            effectiveDate = "2026-09-01",
            signatories = new[]
            {
                new { party = "parties/aca-nancy-metz", role = "ACADEMIC_AUTHORITY" },
                new { party = "parties/dep-57", role = "COLLECTIVITY" },
                new { party = "parties/region-grand-est", role = "COORDINATOR" },
            },
            annexes = new[] { new { annexId = "annexe-1", kind = "USAGE_CHARTER", charter = new { maxTitleLength = 120, allowedAudiences = new[] { "PARENTS" } } } },
        });
        await _gateway.OkAsync(HttpMethod.Post, "/v1/conventions?conventionId=governed", Admin, draft);
        var meeting = await _gateway.OkAsync(HttpMethod.Post, "/v1/conventions/governed/meetings?meetingId=copil", Admin,
            """{"body":"STEERING_COMMITTEE","kind":"EXTRAORDINARY","scheduledAt":"2026-10-01T08:00:00Z","agenda":[{"itemId":"charte","title":"Charte"}]}""");
        Assert.Equal("SCHEDULED", meeting.GetProperty("state").GetString());

        var withoutQuorum = await _gateway.SendAsync(HttpMethod.Post, "/v1/conventions/governed/meetings/copil:hold", Admin,
            """{"attendance":[{"party":"parties/dep-57","status":"PRESENT"},{"party":"parties/region-grand-est","status":"ABSENT"}]}""");
        Assert.Equal([("QUORUM_NOT_REACHED", "conventions/governed/meetings/copil")],
            Gateway.Violations(await Gateway.AssertStatusAsync(withoutQuorum, HttpStatusCode.BadRequest, 9)));

        await _gateway.OkAsync(HttpMethod.Post, "/v1/conventions/governed/meetings/copil:hold", Admin,
            """{"attendance":[{"party":"parties/dep-57","status":"PRESENT"},{"party":"parties/aca-nancy-metz","status":"REPRESENTED"}]}""");
        await _gateway.OkAsync(HttpMethod.Post, "/v1/conventions/governed/meetings/copil:recordDecision", Admin,
            """{"decision":{"decisionId":"d1","itemId":"charte","outcome":"APPROVED","validateCharter":{"annexId":"annexe-1"}}}""");

        var convention = await _gateway.OkAsync(HttpMethod.Get, "/v1/conventions/governed", Admin);
        Assert.Equal("2026-10-01", convention.GetProperty("charterStatus").GetProperty("validatedOn").GetString());
        Assert.Equal(["MeetingCreated", "MeetingHeld", "DecisionRecorded"], await HistoryTypesAsync("/v1/conventions/governed/meetings/copil"));
        Assert.Equal(["ConventionCreated", "MeetingCreated", "MeetingHeld", "DecisionRecorded", "CharterValidated"], await HistoryTypesAsync("/v1/conventions/governed"));
    }

    [Theory]
    [InlineData("null", "convention")]
    [InlineData("""{"title":"T","effectiveDate":"2026-01-01","signatories":[{"party":"parties/dep-57","role":2}]}""", "signatories[0].role")]
    [InlineData("""{"title":"T","effectiveDate":"2026-13-01","signatories":[{"party":"parties/dep-57","role":"COLLECTIVITY"}]}""", "effectiveDate")]
    [InlineData("""{"title":"T","effectiveDate":"2026-01-01","signatories":[{"party":"parties/dep-57","role":"COLLECTIVITY"}],"articles":[{"number":"1","clauses":[{}]}]}""", "articles[0].clauses[0]")]
    [InlineData("""{"title":"T","effectiveDate":"0001-01-01","signatories":[{"party":"parties/dep-57","role":"COLLECTIVITY"}]}""", "effectiveDate")]
    [InlineData("""{"title":"T","effectiveDate":"2026-01-01","signatories":[{"party":"parties/aca-reims","role":"ACADEMIC_AUTHORITY"}],"articles":[{"number":"5","clauses":[{"obligation":{"clauseId":"a","obligorRole":"ACADEMIC_AUTHORITY","kind":"ASSISTANCE","metric":"TICKETS_WITHIN_SLA_PERCENT","recurrence":"ONCE","sla":{"firstResponseBusinessHours":2000000000}}}]}]}""", "articles[0].clauses[0].obligation.sla")]
    public async Task ABadConvention_Gets400_NamingTheField(string json, string field)
    {
        var response = await _gateway.SendAsync(HttpMethod.Post, "/v1/conventions", Admin, json);

        Assert.Contains(field, Gateway.Fields(await Gateway.AssertStatusAsync(response, HttpStatusCode.BadRequest, 3)));
    }

    [Theory]
    [InlineData("/v1/conventions/Not_An_Id:history", "name")]
    [InlineData("/v1/parties/UPPER:history", "name")]
    [InlineData("/v1/conventions/mbn-grand-est:history?pageSize=-1", "pageSize")]
    [InlineData("/v1/conventions/mbn-grand-est:history?pageSize=lots", "pageSize")]
    [InlineData("/v1/conventions/mbn-grand-est:history?pageToken=forged", "pageToken")]
    [InlineData("/v1/conventions/mbn-grand-est:history?filter=type%3DConventionInForce", "filter")]
    [InlineData("/v1/conventions/mbn-grand-est:history?colour=red", "colour")]
    public async Task ABadHistoryRequest_Gets400_NamingTheParameter(string path, string field)
    {
        var response = await _gateway.SendAsync(HttpMethod.Get, path, Observer);

        Assert.Contains(field, Gateway.Fields(await Gateway.AssertStatusAsync(response, HttpStatusCode.BadRequest, 3)));
    }

    [Theory]
    [InlineData("/v1/conventions/mbn-grand-est/deliberations/d1:history")]
    [InlineData("/v1/elections/presidentielle-2027:history")]
    [InlineData("/v1/communications/m1/deliveries/uai-0671001z:history")]
    public async Task HistoryOfAKindNotListed_IsAnUnknownPath(string path) =>
        await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Get, path, Observer), HttpStatusCode.NotFound, 5);

    [Fact]
    public async Task AHistoryPageLargerThan500_IsClampedTo500()
    {
        var page = await _gateway.OkAsync(HttpMethod.Get, "/v1/conventions/mbn-grand-est:history?pageSize=100000", Observer);

        Assert.InRange(page.GetProperty("entries").GetArrayLength(), 1, 500);
    }
}
