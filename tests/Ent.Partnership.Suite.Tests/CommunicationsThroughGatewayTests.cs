using System.Net;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Ent.Partnership.Tests.Support;

namespace Ent.Partnership.Suite.Tests;

/// <summary>
/// Messages through the gateway as partners send them: checked against the sample convention's charter,
/// reviewed by the académie, published to the ENT sandbox that the AppHost runs, withdrawn.
/// </summary>
[Collection(SuiteFixture.Collection)]
public sealed class CommunicationsThroughGatewayTests(SuiteFixture suite) : IClassFixture<SuiteFixture>, IAsyncLifetime
{
    private const string Admin = "dev-admin-key";
    private const string Cea = "dev-cea-key";
    private const string Moselle = "dev-moselle-key";
    private const string Strasbourg = "dev-rectorat-strasbourg-key";
    private const string NancyMetz = "dev-rectorat-nancy-metz-key";
    private const string Observer = "dev-observer-key";
    private const string Region = "dev-region-key";

    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromMinutes(3);

    private readonly Gateway _gateway = new(suite.Gateway);
    private readonly HttpClient _sandbox = new() { BaseAddress = suite.App.GetEndpoint("ent-sandbox", "http"), Timeout = TimeSpan.FromSeconds(30) };

    public Task InitializeAsync() => suite.ImportSchoolsOnceAsync();

    public async Task DisposeAsync()
    {
        await SetSandboxFailureRateAsync(0);
        _sandbox.Dispose();
    }

    private static string Message(string body, params string[] schools) => MessageFrom(null, body, schools);

    private static string MessageFrom(string? issuer, string body, string[] schools, bool? urgent = null, DateTimeOffset? publishTime = null) => JsonSerializer.Serialize(new
    {
        issuer,
        title = "Transports scolaires : nouveaux horaires",
        body,
        category = "TRANSPORT",
        audiences = new[] { "PARENTS", "PUPILS" },
        targets = new { schools = schools.Select(s => $"parties/uai-{s.ToLowerInvariant()}") },
        urgent,
        publishTime = publishTime?.ToString("yyyy-MM-ddTHH:mm:ssZ"),
        expireTime = DateTimeOffset.UtcNow.AddDays(10).ToString("yyyy-MM-ddTHH:mm:ssZ"),
    }, new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });

    private const string Notice = "Les horaires des cars changent le 3 novembre. Détails sur https://www.alsace.eu/transports.";

    private async Task<string> CreateAsync(string key, string json) =>
        (await _gateway.OkAsync(HttpMethod.Post, "/v1/communications", key, json)).GetProperty("name").GetString()!;

    private Task<JsonElement> ActAsync(string name, string verb, string key, string json = "{}") =>
        _gateway.OkAsync(HttpMethod.Post, $"/v1/{name}:{verb}", key, json);

    /// <summary>Creates, submits and has Strasbourg approve a CeA message; answers its name.</summary>
    private async Task<string> PublishAsync(params string[] schools)
    {
        var name = await CreateAsync(Cea, Message(Notice, schools));
        Assert.Equal("PENDING_VALIDATION", (await ActAsync(name, "submit", Cea)).GetProperty("state").GetString());
        await ActAsync(name, "approve", Strasbourg);
        return name;
    }

    private async Task<JsonElement> WaitForAsync(string name, Func<JsonElement, bool> condition, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var message = await _gateway.OkAsync(HttpMethod.Get, $"/v1/{name}", Cea);
            if (condition(message))
            {
                return message;
            }

            Assert.False(deadline.IsCancellationRequested, $"{name} did not get there in {timeout}: {message}");
            await Task.Delay(200);
        }
    }

    /// <summary>The names of the CeA's messages a filter lists.</summary>
    private async Task<List<string>> ListedAsync(string filter)
    {
        var page = await _gateway.OkAsync(HttpMethod.Get, "/v1/communications?pageSize=500&filter=" + Uri.EscapeDataString(filter), Cea);
        return page.TryGetProperty("communications", out var list) ? list.EnumerateArray().Select(m => m.GetProperty("name").GetString()!).ToList() : [];
    }

    private static int Summary(JsonElement message, string state) =>
        message.TryGetProperty("deliverySummary", out var summary) && summary.TryGetProperty(state, out var count) ? count.GetInt32() : 0;

    private Task<Dictionary<string, int>> ReceivedAsync(string name) => new Sandbox(_sandbox).ReceivedAsync(name);

    private Task SetSandboxFailureRateAsync(double rate) => new Sandbox(_sandbox).SetFailureRateAsync(rate);

    [Fact]
    public async Task ACeaMessageToItsCollege_IsApprovedByStrasbourg_AndReachesThatSchoolOnly()
    {
        var verdict = await _gateway.OkAsync(HttpMethod.Post, "/v1/communications:check", Cea, $$"""{"communication": {{Message(Notice, "0671001Z")}}}""");
        Assert.Equal("PASS", verdict.GetProperty("outcome").GetString());

        var created = await _gateway.OkAsync(HttpMethod.Post, "/v1/communications", Cea, Message(Notice, "0671001Z"));
        var name = created.GetProperty("name").GetString()!;
        Assert.Equal("conventions/mbn-grand-est", created.GetProperty("convention").GetString());
        await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Get, $"/v1/{name}", Observer), HttpStatusCode.NotFound, 5);
        var submitted = await ActAsync(name, "submit", Cea);
        Assert.Equal(["parties/aca-strasbourg"], submitted.GetProperty("reviewers").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(1, submitted.GetProperty("estimatedReach").GetProperty("schools").GetInt32());
        await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Post, $"/v1/{name}:approve", NancyMetz, "{}"), HttpStatusCode.NotFound, 5);

        await ActAsync(name, "approve", Strasbourg);
        var published = await WaitForAsync(name, m => Summary(m, "delivered") == 1, DeliveryTimeout);

        Assert.Equal("PUBLISHED", published.GetProperty("state").GetString());
        Assert.Equal(new Dictionary<string, int> { ["0671001Z"] = 1 }, await ReceivedAsync(name));
        var page = await _sandbox.GetStringAsync("/");
        Assert.Contains("<h2>0671001Z</h2>", page, StringComparison.Ordinal);
        Assert.Contains(name["communications/".Length..] + ".uai-0671001z.r1", page, StringComparison.Ordinal);
        var delivery = await _gateway.OkAsync(HttpMethod.Get, $"/v1/{name}/deliveries/uai-0671001z", Observer);
        Assert.Equal("DELIVERED", delivery.GetProperty("state").GetString());
        var expiry = published.GetProperty("expireTime").GetString();
        Assert.Contains(name, await ListedAsync($"state = PUBLISHED AND expire_time >= \"{expiry}\" AND update_time > \"2026-01-01T00:00:00Z\""));
        Assert.DoesNotContain(name, await ListedAsync($"expire_time < \"{expiry}\""));
        Assert.DoesNotContain(name, await ListedAsync("publish_time >= \"2000-01-01T00:00:00Z\""));
    }

    [Fact]
    public async Task AMessagesHistory_IsTheIssuers_ThenItsReviewersFromSubmission_ThenEveryonesFromApproval()
    {
        var name = await CreateAsync(Cea, Message(Notice, "0671001Z"));
        await _gateway.OkAsync(HttpMethod.Patch, $"/v1/{name}?updateMask=title", Cea, """{"title":"Transports : horaires d'hiver"}""");
        await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Get, $"/v1/{name}:history", Moselle), HttpStatusCode.NotFound, 5);
        await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Get, $"/v1/{name}:history", Strasbourg), HttpStatusCode.NotFound, 5);

        await ActAsync(name, "submit", Cea);
        Assert.Equal(["CommunicationStateChanged"], await HistoryTypesAsync(name, Strasbourg));
        await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Get, $"/v1/{name}:history", Moselle), HttpStatusCode.NotFound, 5);

        await ActAsync(name, "approve", Strasbourg);
        var seenByMoselle = await HistoryTypesAsync(name, Moselle);
        Assert.Equal(["CommunicationReviewed", "CommunicationStateChanged"], seenByMoselle.Take(2));
        var issuers = (await _gateway.OkAsync(HttpMethod.Get, $"/v1/{name}:history", Cea)).GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(
            ["CommunicationCreated", "CommunicationUpdated", "CommunicationStateChanged", "CommunicationReviewed", "CommunicationStateChanged"],
            issuers.Take(5).Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(("parties/cea", "key:dev-cea"), ActorOf(issuers[0]));
        Assert.Equal(("parties/aca-strasbourg", "key:dev-rectorat-strasbourg"), ActorOf(issuers[3]));
        Assert.Equal("parties/aca-strasbourg approuve le message.", issuers[3].GetProperty("summary").GetString());
        Assert.Equal(2, issuers[1].GetProperty("revision").GetInt32());
    }

    private async Task<List<string?>> HistoryTypesAsync(string name, string key) =>
        (await _gateway.OkAsync(HttpMethod.Get, $"/v1/{name}:history", key)).GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();

    private static (string?, string?) ActorOf(JsonElement entry) =>
        (entry.GetProperty("actor").GetProperty("party").GetString(), entry.GetProperty("actor").GetProperty("subject").GetString());

    [Fact]
    public async Task AMessageFromMoselleToABasRhinCollege_IsRefusedForScope()
    {
        var verdict = await _gateway.OkAsync(HttpMethod.Post, "/v1/communications:check", Moselle, $$"""{"communication": {{Message(Notice, "0671002A")}}}""");
        Assert.Equal("FAIL", verdict.GetProperty("outcome").GetString());
        var scope = verdict.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("ruleId").GetString() == "CH-SCOPE");
        Assert.Equal("targets.schools[0]", scope.GetProperty("field").GetString());
        Assert.Contains("0671002A", scope.GetProperty("excerpt").GetString());

        var name = await CreateAsync(Moselle, Message(Notice, "0671002A"));
        var details = await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Post, $"/v1/{name}:submit", Moselle, "{}"), HttpStatusCode.BadRequest, 9);
        Assert.Contains(("CH-SCOPE", "targets.schools[0]"), Gateway.Violations(details));
        Assert.Equal("DRAFT", (await _gateway.OkAsync(HttpMethod.Get, $"/v1/{name}", Moselle)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task ACommercialTerm_IsRefusedWithItsExcerpt()
    {
        var body = "Profitez de notre OFFRE SPECIALE sur les abonnements de car avant la rentrée.";
        var verdict = await _gateway.OkAsync(HttpMethod.Post, "/v1/communications:check", Cea, $$"""{"communication": {{Message(body, "0671002A")}}}""");

        var finding = verdict.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("ruleId").GetString() == "CH-COMMERCIAL");
        Assert.Equal("FAIL", verdict.GetProperty("outcome").GetString());
        Assert.Equal("BLOCK", finding.GetProperty("severity").GetString());
        Assert.Equal("body", finding.GetProperty("field").GetString());
        Assert.Equal("Profitez de notre OFFRE SPECIALE sur les abonnements de car avant la ren", finding.GetProperty("excerpt").GetString());
        Assert.Contains("OFFRE SPECIALE", finding.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Approval_MustAcknowledgeEveryWarning()
    {
        var name = await CreateAsync(Cea, Message("Pour toute question, appelez Mme Martin au 06 12 34 56 78.", "0671011K"));
        var submitted = await ActAsync(name, "submit", Cea);
        Assert.Equal("WARN", submitted.GetProperty("verdict").GetProperty("outcome").GetString());

        var details = await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Post, $"/v1/{name}:approve", Strasbourg, "{}"), HttpStatusCode.BadRequest, 9);
        Assert.Contains(("WARNING_NOT_ACKNOWLEDGED", "CH-PERSONAL-DATA"), Gateway.Violations(details));

        var approved = await ActAsync(name, "approve", Strasbourg, """{"acknowledgedRuleIds": ["CH-PERSONAL-DATA"]}""");
        Assert.True(approved.TryGetProperty("approveTime", out _), approved.ToString());
    }

    [Fact]
    public async Task Publication_WithTheSandboxFailingHalfThePushes_DeliversEverySchoolExactlyOnce()
    {
        string[] schools = ["0671003B", "0671004C", "0671005D", "0671006E", "0671007F", "0671008G"];
        // Six first pushes all succeed with a chance of 0.3^6 (0.07 %; 0.4 % at 0.6 and 1.6 % at 0.5, each seen
        // once); a school still undelivered after the suite's 30 attempts, 0.7^30 each, is rarer still.
        await SetSandboxFailureRateAsync(0.7);

        var name = await PublishAsync(schools);
        var published = await WaitForAsync(name, m => Summary(m, "delivered") == schools.Length, DeliveryTimeout);
        await SetSandboxFailureRateAsync(0);

        Assert.Equal(0, Summary(published, "failed"));
        Assert.Equal(schools.ToDictionary(s => s, _ => 1), await ReceivedAsync(name));
        var deliveries = (await _gateway.OkAsync(HttpMethod.Get, $"/v1/{name}/deliveries", Cea)).GetProperty("deliveries").EnumerateArray().ToList();
        Assert.True(deliveries.Sum(d => d.GetProperty("attempts").GetInt32()) > schools.Length, "the sandbox failed no push: the test proved nothing");
    }

    [Fact]
    public async Task Withdraw_RetractsWhatWasDelivered()
    {
        var name = await PublishAsync("0671009H", "0671010J");
        await WaitForAsync(name, m => Summary(m, "delivered") == 2, DeliveryTimeout);
        Assert.Equal(2, (await ReceivedAsync(name)).Count);

        var withdrawn = await ActAsync(name, "withdraw", Cea, """{"reason": "Horaires annulés"}""");
        Assert.Equal("WITHDRAWN", withdrawn.GetProperty("state").GetString());
        await WaitForAsync(name, m => Summary(m, "retracted") == 2, DeliveryTimeout);

        Assert.Empty(await ReceivedAsync(name));
    }

    [Fact]
    public async Task AnUrgentMessage_IsPublishedAtOnce_AndARejectionRetractsIt()
    {
        var name = await CreateAsync(Cea, MessageFrom(null, "Les cars ne circulent pas demain en raison de la neige.", ["0671012L"], urgent: true));

        Assert.Equal("PUBLISHED", (await ActAsync(name, "submit", Cea)).GetProperty("state").GetString());
        await WaitForAsync(name, m => Summary(m, "delivered") == 1, DeliveryTimeout);
        Assert.Equal(new Dictionary<string, int> { ["0671012L"] = 1 }, await ReceivedAsync(name));

        var rejected = await ActAsync(name, "reject", Strasbourg, """{"comment": "Pas une urgence."}""");
        Assert.Equal("REJECTED", rejected.GetProperty("state").GetString());
        await WaitForAsync(name, m => Summary(m, "retracted") == 1, DeliveryTimeout);
        Assert.Empty(await ReceivedAsync(name));
    }

    [Fact]
    public async Task AnElectionCalledAfterApproval_SendsAPromotionalMessageBack_WhenPublicationStarts()
    {
        var body = "Découvrez nos réalisations : le nouveau réfectoire ouvre lundi.";
        var name = await CreateAsync(Cea, MessageFrom(null, body, ["0671013M"], publishTime: DateTimeOffset.UtcNow.AddSeconds(20)));
        Assert.Equal("PASS", (await ActAsync(name, "submit", Cea)).GetProperty("verdict").GetProperty("outcome").GetString());
        Assert.Equal("APPROVED", (await ActAsync(name, "approve", Strasbourg)).GetProperty("state").GetString());

        var firstRound = DateOnly.FromDateTime(DateTime.UtcNow.AddMonths(3)).ToString("yyyy-MM-dd");
        await _gateway.OkAsync(HttpMethod.Post, "/v1/elections?electionId=partielle-cea", Admin,
            JsonSerializer.Serialize(new { kind = "DEPARTMENTAL", firstRoundDate = firstRound, scope = new { parties = new[] { "parties/cea" } } }));
        try
        {
            var sentBack = await WaitForAsync(name, m => m.GetProperty("state").GetString() != "APPROVED", TimeSpan.FromMinutes(1));

            Assert.Equal("CHANGES_REQUESTED", sentBack.GetProperty("state").GetString());
            var block = sentBack.GetProperty("verdict").GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("severity").GetString() == "BLOCK");
            Assert.Equal(("CH-ELECTORAL-RESERVE", body), (block.GetProperty("ruleId").GetString(), block.GetProperty("excerpt").GetString()));
            Assert.Empty(await ReceivedAsync(name));
        }
        finally
        {
            await _gateway.SendAsync(HttpMethod.Delete, "/v1/elections/partielle-cea", Admin);
        }
    }

    [Fact]
    public async Task TheElectoralReserve_WarnsOfTheWindow_AndBlocksPromotion()
    {
        var firstRound = DateOnly.FromDateTime(DateTime.UtcNow.AddMonths(2)).ToString("yyyy-MM-dd");
        await _gateway.OkAsync(HttpMethod.Post, "/v1/elections?electionId=partielle-54", Admin,
            JsonSerializer.Serialize(new { kind = "DEPARTMENTAL", firstRoundDate = firstRound, scope = new { parties = new[] { "parties/dep-54" } } }));
        try
        {
            var plain = await _gateway.OkAsync(HttpMethod.Post, "/v1/communications:check", Admin, $$"""{"communication": {{MessageFrom("parties/dep-54", "Les travaux du collège commencent lundi.", ["0541001V"])}}}""");
            Assert.Equal("WARN", plain.GetProperty("outcome").GetString());
            Assert.Equal("WARN", plain.GetProperty("findings").EnumerateArray().Single().GetProperty("severity").GetString());

            var promotion = await _gateway.OkAsync(HttpMethod.Post, "/v1/communications:check", Admin,
                $$"""{"communication": {{MessageFrom("parties/dep-54", "Les travaux du collège commencent lundi, grâce à votre Département.", ["0541001V"])}}}""");
            Assert.Equal("FAIL", promotion.GetProperty("outcome").GetString());
            var block = promotion.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("severity").GetString() == "BLOCK");
            Assert.Equal("CH-ELECTORAL-RESERVE", block.GetProperty("ruleId").GetString());
            Assert.Contains("grâce à votre Département", block.GetProperty("excerpt").GetString());
        }
        finally
        {
            await _gateway.SendAsync(HttpMethod.Delete, "/v1/elections/partielle-54", Admin);
        }
    }

    [Fact]
    public async Task AMessageToAnAgriculturalLycee_IsReviewedByTheDraaf()
    {
        await _gateway.OkAsync(HttpMethod.Post, "/v1/parties?partyId=uai-0671900b", Admin, JsonSerializer.Serialize(new
        {
            kind = "SCHOOL", displayName = "Lycée agricole d'Obernai", uai = "0671900B", schoolType = "LYCEE", sector = "AGRICULTURAL",
            academy = "parties/aca-strasbourg", competentAuthority = "parties/region-grand-est", pupilCount = 420,
        }));
        var name = await CreateAsync("dev-region-key", Message(Notice, "0671900B"));

        var submitted = await ActAsync(name, "submit", "dev-region-key");

        Assert.Equal(["parties/draaf-grand-est"], submitted.GetProperty("reviewers").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(420, submitted.GetProperty("estimatedReach").GetProperty("pupils").GetInt32());
        await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Post, $"/v1/{name}:approve", Strasbourg, "{}"), HttpStatusCode.NotFound, 5);
    }

    [Fact]
    public async Task AFifthMessageToASchoolWithinThirtyDays_IsRefusedForFrequency()
    {
        for (var i = 0; i < 4; i++)
        {
            var sent = await CreateAsync(Moselle, Message(Notice, "0571003F"));
            await ActAsync(sent, "submit", Moselle);
            await ActAsync(sent, "approve", NancyMetz);
        }

        var verdict = await _gateway.OkAsync(HttpMethod.Post, "/v1/communications:check", Moselle, $$"""{"communication": {{Message(Notice, "0571003F", "0571004G")}}}""");

        var finding = Assert.Single(verdict.GetProperty("findings").EnumerateArray());
        Assert.Equal(("CH-FREQUENCY", "targets.schools[0]"), (finding.GetProperty("ruleId").GetString(), finding.GetProperty("field").GetString()));
        Assert.Contains("5 messages", finding.GetProperty("message").GetString());
    }

    [Fact]
    public async Task TheConsole_SignsAPersonInThroughTheIdentityProject_AndListsTheMessagesThePersonMaySee()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await suite.App.ResourceNotifications.WaitForResourceHealthyAsync("console", timeout.Token);
        var title = "Console : " + Guid.NewGuid().ToString("N")[..8];
        await CreateAsync(Cea, Message(Notice, "0671001Z").Replace("Transports scolaires : nouveaux horaires", title, StringComparison.Ordinal));
        var console = suite.App.GetEndpoint("console", "http");
        var identity = suite.App.GetEndpoint("identity", "http");

        var (exitCode, output) = await NodeScript.RunAsync("console-in-browser.mjs", TimeSpan.FromMinutes(2),
            console.ToString().TrimEnd('/'), "Chargé de communication — Collectivité européenne d'Alsace");

        Assert.True(exitCode == 0, output);
        var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        var pages = result.GetProperty("pages").EnumerateArray().ToList();
        Assert.StartsWith(new Uri(identity, "/connect/choose").ToString(), pages[0].GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.Equal(["Se connecter", "Bonjour, Chargé de communication — Collectivité européenne d'Alsace", "Mes messages"],
            pages.Select(p => p.GetProperty("heading").GetString()));
        Assert.Contains(title, result.GetProperty("titles").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("/connect/choose", result.GetProperty("signedOut").GetString());
        Assert.Subset(new HashSet<string?> { console.Authority, identity.Authority }, result.GetProperty("hosts").EnumerateArray().Select(h => h.GetString()).ToHashSet());
    }

    [Fact]
    public async Task InTheConsole_TheRegionsOfficerWritesAMessage_TheNancyMetzReviewerApprovesIt_AndTheOfficerSeesItDelivered()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await suite.App.ResourceNotifications.WaitForResourceHealthyAsync("console", timeout.Token);
        await suite.ImportSchoolsOnceAsync();
        var title = "Horaires des cars " + Guid.NewGuid().ToString("N")[..8];
        var firstRound = DateOnly.FromDateTime(DateTime.UtcNow.AddMonths(2)).ToString("yyyy-MM-dd");
        await _gateway.OkAsync(HttpMethod.Post, "/v1/elections?electionId=regionales-console", Admin,
            JsonSerializer.Serialize(new { kind = "REGIONAL", firstRoundDate = firstRound, scope = new { parties = new[] { "parties/region-grand-est" } } }));
        try
        {
            var (exitCode, output) = await NodeScript.RunAsync("console-review.mjs", TimeSpan.FromMinutes(4),
                suite.App.GetEndpoint("console", "http").ToString().TrimEnd('/'), "Chargée de communication — Région Grand Est",
                "Chargée de communication — Département de la Moselle", "Relecteur — Rectorat de Nancy-Metz", "0541065P", title);

            Assert.True(exitCode == 0, output);
            var seen = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
            string Seen(string property) => seen.GetProperty(property).ToString();
            Assert.Contains("Bloquant — CH-COMMERCIAL", Seen("finding"), StringComparison.Ordinal);
            Assert.Contains("« offre spéciale »", Seen("finding"), StringComparison.Ordinal);
            Assert.Equal("Avertissement — CH-ELECTORAL-RESERVE", Seen("warned"));
            Assert.False(seen.GetProperty("sendableBeforeAcknowledging").GetBoolean());
            var name = "communications/" + Seen("address")["/messages/".Length..];
            Assert.Equal($"La ressource {name} est introuvable.", Seen("told"));
            Assert.Equal("Région Grand Est", Seen("queuedFrom"));
            Assert.Equal("Le commentaire est obligatoire. (champ comment)", Seen("noComment"));
            Assert.Contains("CH-ELECTORAL-RESERVE", Seen("refusedBecause"), StringComparison.Ordinal);
            Assert.StartsWith("Message approuvé", Seen("approval"), StringComparison.Ordinal);
            Assert.Equal("1 établissement(s) sur 1 ont reçu le message.", Seen("progress"));
            Assert.Contains("person:dev-rectorat-nancy-metz", seen.GetProperty("history").EnumerateArray().Select(a => a.GetString()));
            Assert.Equal(["/messages/nouveau", Seen("address"), Seen("address"), "/relecture", $"/relecture/{name["communications/".Length..]}", Seen("address")],
                seen.GetProperty("checked").EnumerateArray().Select(p => p.GetString()).Where(p => p != "/connect/choose"));

            var history = await _gateway.OkAsync(HttpMethod.Get, $"/v1/{name}:history", "dev-region-key");
            var actors = history.GetProperty("entries").EnumerateArray().Select(e => (e.GetProperty("type").GetString(), e.GetProperty("actor").GetProperty("subject").GetString())).ToList();
            Assert.Contains(("CommunicationCreated", "person:dev-region-grand-est"), actors);
            Assert.Contains(("CommunicationStateChanged", "person:dev-region-grand-est"), actors);
            Assert.Contains(("CommunicationReviewed", "person:dev-rectorat-nancy-metz"), actors);
            Assert.Equal(new Dictionary<string, int> { ["0541065P"] = 1 }, await ReceivedAsync(name));
        }
        finally
        {
            await _gateway.SendAsync(HttpMethod.Delete, "/v1/elections/regionales-console", Admin);
        }
    }

    [Fact]
    public async Task Webhooks_TellTheRegionEveryChangeOfItsMessage_SignedAndOnce_AndTheCeaOnlyWhatItMayRead()
    {
        await suite.ImportSchoolsOnceAsync();
        var inbox = _sandbox.BaseAddress!.ToString().TrimEnd('/') + "/webhooks/";
        // The Région's receiver fails every other post: each event is posted again until it is accepted, once.
        var region = await _gateway.OkAsync(HttpMethod.Post, "/v1/webhooks?webhookId=region-intranet", Region,
            JsonSerializer.Serialize(new { url = inbox + "region?failEvery=2", description = "Intranet de la Région" }));
        var cea = await _gateway.OkAsync(HttpMethod.Post, "/v1/webhooks?webhookId=cea-intranet", Cea,
            JsonSerializer.Serialize(new { url = inbox + "cea", eventTypes = new[] { "CommunicationCreated", "CommunicationStateChanged", "WebhookPing" } }));
        var regionSecret = region.GetProperty("secret").GetString()!;

        var name = await CreateAsync(Region, MessageFrom(null, Notice, ["0541065P"]));
        await ActAsync(name, "submit", Region);
        var verdict = (await _gateway.OkAsync(HttpMethod.Get, $"/v1/{name}", NancyMetz)).GetProperty("verdict");
        var warnings = (verdict.TryGetProperty("findings", out var findings) ? findings.EnumerateArray().ToList() : [])
            .Where(f => f.GetProperty("severity").GetString() == "WARN").Select(f => f.GetProperty("ruleId").GetString()).Distinct();
        await ActAsync(name, "approve", NancyMetz, JsonSerializer.Serialize(new { acknowledgedRuleIds = warnings }));
        await WaitForAsync(name, m => Summary(m, "delivered") == 1, DeliveryTimeout);

        // Every event of the message the Région may read: created, submitted, reviewed, approved, published, delivered.
        var regionPosts = await InboxAsync("region", posts => EventsOf(posts, name).Count(p => p.Type.EndsWith(".DeliveryUpdated", StringComparison.Ordinal) && p.Status == 204) >= 1
            && EventsOf(posts, name).Where(p => p.Status == 204).Select(p => p.Type).Distinct().Count() >= 4);
        var accepted = EventsOf(regionPosts, name).Where(p => p.Status == 204).ToList();
        Assert.All(accepted.GroupBy(p => p.Id), g => Assert.Single(g));
        Assert.Contains(regionPosts, p => p.Status == 503);
        Assert.All(regionPosts, p => Assert.True(SignedWith(regionSecret, p), $"{p.Id} is not signed with the Région's secret"));
        Assert.Contains("ent.partnership.communications.v1.CommunicationCreated", accepted.Select(p => p.Type));

        // The CeA reads the message once approved, never its draft.
        var ceaPosts = await InboxAsync("cea", posts => EventsOf(posts, name).Any(p => p.State == "PUBLISHED"));
        Assert.DoesNotContain(EventsOf(ceaPosts, name), p => p.Type.EndsWith(".CommunicationCreated", StringComparison.Ordinal));
        Assert.DoesNotContain(EventsOf(ceaPosts, name), p => p.State is "DRAFT" or "PENDING_VALIDATION");

        // A ping is a delivery; a redelivery posts the same webhook-id again.
        var ping = await _gateway.OkAsync(HttpMethod.Post, "/v1/webhooks/cea-intranet:ping", Cea, "{}");
        var pingId = ping.GetProperty("eventId").GetString()!;
        await InboxAsync("cea", posts => posts.Any(p => p.Id == pingId));
        var delivered = await WaitForWebhookAsync("webhooks/cea-intranet", Cea, d => d.Any(x => x.GetProperty("eventId").GetString() == pingId && x.GetProperty("state").GetString() == "DELIVERED"));
        await _gateway.OkAsync(HttpMethod.Post, $"/v1/webhooks/cea-intranet/deliveries/{pingId}:redeliver", Cea, "{}");
        await InboxAsync("cea", posts => posts.Count(p => p.Id == pingId) == 2);

        // Deleted, the CeA's webhook gets nothing more; the Région's still does.
        await _gateway.OkAsync(HttpMethod.Delete, "/v1/webhooks/cea-intranet", Cea);
        var ceaBefore = (await InboxAsync("cea", _ => true)).Count;
        await ActAsync(name, "withdraw", Region);
        await InboxAsync("region", posts => EventsOf(posts, name).Any(p => p.State == "WITHDRAWN" && p.Status == 204));
        Assert.Equal(ceaBefore, (await InboxAsync("cea", _ => true)).Count);
        Assert.Single(delivered, x => x.GetProperty("eventId").GetString() == pingId);
        Assert.Equal(HttpStatusCode.NotFound, (await _gateway.SendAsync(HttpMethod.Get, "/v1/webhooks/region-intranet", Cea)).StatusCode);
        Assert.StartsWith("whsec_", cea.GetProperty("secret").GetString(), StringComparison.Ordinal);
        Assert.False((await _gateway.OkAsync(HttpMethod.Get, "/v1/webhooks/region-intranet", Region)).TryGetProperty("secret", out _));
    }

    private sealed record InboxPost(string Id, string Timestamp, string Signature, string Body, int Status, string Type, string? Subject, string? State);

    /// <summary>What the sandbox's webhook inbox received, once <paramref name="done"/> holds (within a minute).</summary>
    private async Task<List<InboxPost>> InboxAsync(string inbox, Func<List<InboxPost>, bool> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            var posts = JsonDocument.Parse(await _sandbox.GetStringAsync($"/webhooks/{inbox}", timeout.Token)).RootElement.GetProperty("posts").EnumerateArray()
                .Select(p =>
                {
                    var body = p.GetProperty("body").GetString()!;
                    var cloudEvent = JsonDocument.Parse(body).RootElement;
                    var data = cloudEvent.GetProperty("data");
                    var state = data.TryGetProperty("communication", out var message) && message.TryGetProperty("state", out var s) ? s.GetString() : null;
                    return new InboxPost(p.GetProperty("webhookId").GetString()!, p.GetProperty("timestamp").GetString()!, p.GetProperty("signature").GetString()!, body,
                        p.GetProperty("status").GetInt32(), cloudEvent.GetProperty("type").GetString()!, cloudEvent.TryGetProperty("subject", out var subject) ? subject.GetString() : null, state);
                })
                .ToList();
            if (done(posts))
            {
                return posts;
            }

            await Task.Delay(200, timeout.Token);
        }
    }

    private static IEnumerable<InboxPost> EventsOf(IEnumerable<InboxPost> posts, string message) =>
        posts.Where(p => p.Subject is { } subject && (subject == message || subject.StartsWith(message + "/", StringComparison.Ordinal)));

    /// <summary>The receiver's check, per Standard Webhooks: HMAC-SHA256 of "id.timestamp.body" with the secret's base64-decoded bytes.</summary>
    private static bool SignedWith(string secret, InboxPost post)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = "v1," + Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(key, System.Text.Encoding.UTF8.GetBytes($"{post.Id}.{post.Timestamp}.{post.Body}")));
        return post.Signature.Split(' ').Contains(expected);
    }

    private async Task<List<JsonElement>> WaitForWebhookAsync(string webhook, string key, Func<List<JsonElement>, bool> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            var deliveries = (await _gateway.OkAsync(HttpMethod.Get, $"/v1/{webhook}/deliveries", key)).GetProperty("deliveries").EnumerateArray().ToList();
            if (done(deliveries))
            {
                return deliveries;
            }

            await Task.Delay(200, timeout.Token);
        }
    }

    [Fact]
    public async Task BadInput_IsRefusedNamingTheField()
    {
        var both = """{"title": "t", "category": "TRANSPORT", "audiences": ["PARENTS"], "targets": {"schools": ["parties/uai-0671001z"], "allSchoolsUnderCompetence": true}}""";
        var details = await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Post, "/v1/communications", Cea, both), HttpStatusCode.BadRequest, 3);
        Assert.Contains("targets", Gateway.Fields(details));

        var foreign = await _gateway.SendAsync(HttpMethod.Post, "/v1/communications", Cea, MessageFrom("parties/dep-57", Notice, ["0571001D"]));
        await Gateway.AssertStatusAsync(foreign, HttpStatusCode.Forbidden, 7);

        var unknown = await _gateway.SendAsync(HttpMethod.Post, "/v1/communications:check", Cea, """{"communication": {"titel": "x"}}""");
        await Gateway.AssertStatusAsync(unknown, HttpStatusCode.BadRequest, 3);

        foreach (var filter in new[] { "publish_time > demain", "issuer < \"parties/cea\"", "update_time >= \"2026-12-01\"" })
        {
            var listed = await _gateway.SendAsync(HttpMethod.Get, "/v1/communications?filter=" + Uri.EscapeDataString(filter), Cea);
            Assert.Equal(["filter"], Gateway.Fields(await Gateway.AssertStatusAsync(listed, HttpStatusCode.BadRequest, 3)));
        }
    }
}
