using System.Net;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Ent.Partnership.Parties.V1;
using Ent.Partnership.Redis;
using Ent.Partnership.Storage;
using Ent.Partnership.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Ent.Partnership.Suite.Tests;

/// <summary>A partner's calls through the gateway, as SPEC sections 3, 4 and 8 describe them.</summary>
[Collection(SuiteFixture.Collection)]
public sealed class PartiesThroughGatewayTests(SuiteFixture suite) : IClassFixture<SuiteFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly Gateway _gateway = new(suite.Gateway);

    [Fact]
    public async Task TheTenDepartements_AreListed_ForAnObserver()
    {
        var response = await _gateway.SendAsync(HttpMethod.Get, "/v1/parties?filter=kind%20%3D%20DEPARTMENT", "dev-observer-key");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var names = (await Gateway.JsonOf(response)).GetProperty("parties").EnumerateArray().Select(p => p.GetProperty("name").GetString());
        Assert.Equal(["08", "10", "51", "52", "54", "55", "57", "67", "68", "88"], names.Select(n => n![^2..]));
    }

    [Fact]
    public async Task AMemberLeavingAGroup_IsRecorded_AndTheGroupKeepsItsCoordinator()
    {
        await _gateway.OkAsync(HttpMethod.Post, "/v1/parties?partyId=leaving-group", "dev-admin-key",
            """{"kind":"PURCHASING_GROUP","displayName":"Groupement des départs","validFrom":"2020-01-01"}""");
        const string Coordinator = """{"member":"parties/region-grand-est","role":"COORDINATOR","joinedOn":"2020-01-01"}""";
        await _gateway.OkAsync(HttpMethod.Post, "/v1/parties/leaving-group/memberships", "dev-admin-key", Coordinator);
        // Recorded again (as the reference data loader does at each start): it exists, it is not a second coordinator.
        await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Post, "/v1/parties/leaving-group/memberships", "dev-admin-key", Coordinator), HttpStatusCode.Conflict, 6);
        var member = await _gateway.OkAsync(HttpMethod.Post, "/v1/parties/leaving-group/memberships", "dev-admin-key", """{"member":"parties/dep-08","role":"MEMBER","joinedOn":"2020-01-01"}""");
        var secondCoordinator = await _gateway.SendAsync(HttpMethod.Post, "/v1/parties/leaving-group/memberships", "dev-admin-key",
            """{"member":"parties/dep-10","role":"COORDINATOR","joinedOn":"2021-01-01"}""");
        const string Path = "/v1/parties/leaving-group/memberships/dep-08";

        var left = await _gateway.OkAsync(HttpMethod.Patch, Path + "?updateMask=leftOn", "dev-admin-key",
            JsonSerializer.Serialize(new { leftOn = "2026-06-30", etag = member.GetProperty("etag").GetString() }));
        var stale = await _gateway.SendAsync(HttpMethod.Patch, Path, "dev-admin-key", JsonSerializer.Serialize(new { leftOn = "2026-07-31", etag = member.GetProperty("etag").GetString() }));
        var future = await _gateway.SendAsync(HttpMethod.Patch, Path, "dev-admin-key", """{"leftOn":"2999-01-01"}""");
        var beforeJoining = await _gateway.SendAsync(HttpMethod.Patch, Path, "dev-admin-key", """{"leftOn":"2019-12-31"}""");
        var member2 = await _gateway.SendAsync(HttpMethod.Patch, Path + "?updateMask=member", "dev-admin-key", """{"member":"parties/dep-10"}""");
        var coordinatorLeaving = await _gateway.SendAsync(HttpMethod.Patch, "/v1/parties/leaving-group/memberships/region-grand-est", "dev-admin-key", """{"leftOn":"2025-12-31"}""");

        Assert.Equal(("2026-06-30", "2020-01-01", "parties/dep-08"), (left.GetProperty("leftOn").GetString(), left.GetProperty("joinedOn").GetString(), left.GetProperty("member").GetString()));
        Assert.NotEqual(member.GetProperty("etag").GetString(), left.GetProperty("etag").GetString());
        await Gateway.AssertStatusAsync(stale, HttpStatusCode.Conflict, 10);
        Assert.Equal(["leftOn"], Gateway.Fields(await Gateway.AssertStatusAsync(future, HttpStatusCode.BadRequest, 3)));
        Assert.Equal(["leftOn"], Gateway.Fields(await Gateway.AssertStatusAsync(beforeJoining, HttpStatusCode.BadRequest, 3)));
        Assert.Equal(["updateMask"], Gateway.Fields(await Gateway.AssertStatusAsync(member2, HttpStatusCode.BadRequest, 3)));
        Assert.Equal(["ONE_COORDINATOR"], Gateway.Violations(await Gateway.AssertStatusAsync(coordinatorLeaving, HttpStatusCode.BadRequest, 9)).Select(v => v.Type));
        Assert.Equal(["ONE_COORDINATOR"], Gateway.Violations(await Gateway.AssertStatusAsync(secondCoordinator, HttpStatusCode.BadRequest, 9)).Select(v => v.Type));
        var listed = (await _gateway.OkAsync(HttpMethod.Get, "/v1/parties/leaving-group/memberships", "dev-observer-key")).GetProperty("memberships").EnumerateArray().ToList();
        Assert.Equal(["", "2026-06-30"], listed.Select(m => m.TryGetProperty("leftOn", out var on) ? on.GetString() : "").Order());
        var got = await _gateway.OkAsync(HttpMethod.Get, Path, "dev-observer-key");
        Assert.Equal((left.GetProperty("leftOn").GetString(), left.GetProperty("etag").GetString()), (got.GetProperty("leftOn").GetString(), got.GetProperty("etag").GetString()));
        await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Get, "/v1/parties/leaving-group/memberships/dep-10", "dev-observer-key"), HttpStatusCode.NotFound, 5);
    }

    [Fact]
    public async Task CreateGetListAndUpdate_WorkThroughTheGateway()
    {
        var created = await _gateway.SendAsync(HttpMethod.Post, "/v1/parties?partyId=suite-group", "dev-admin-key",
            """{"kind":"PURCHASING_GROUP","displayName":"Groupement de test","validFrom":"2024-01-01"}""");
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var etag = (await Gateway.JsonOf(created)).GetProperty("etag").GetString();

        var read = await Gateway.JsonOf(await _gateway.SendAsync(HttpMethod.Get, "/v1/parties/suite-group", "dev-moselle-key"));
        Assert.Equal("PURCHASING_GROUP", read.GetProperty("kind").GetString());

        var updated = await _gateway.SendAsync(HttpMethod.Patch, "/v1/parties/suite-group?updateMask=displayName", "dev-admin-key",
            $$"""{"displayName":"Groupement renommé","etag":"{{etag}}"}""");
        Assert.Equal("Groupement renommé", (await Gateway.JsonOf(updated)).GetProperty("displayName").GetString());

        var stale = await _gateway.SendAsync(HttpMethod.Patch, "/v1/parties/suite-group?updateMask=displayName", "dev-admin-key",
            $$"""{"displayName":"Trop tard","etag":"{{etag}}"}""");
        await Gateway.AssertStatusAsync(stale, HttpStatusCode.Conflict, 10);
    }

    [Fact]
    public async Task List_PagesThroughTheAcademies_WithoutRepeating()
    {
        var names = new List<string>();
        var path = "/v1/parties?filter=kind%20%3D%20ACADEMY&pageSize=2";
        while (true)
        {
            var page = await Gateway.JsonOf(await _gateway.SendAsync(HttpMethod.Get, path, "dev-observer-key"));
            names.AddRange(page.GetProperty("parties").EnumerateArray().Select(p => p.GetProperty("name").GetString()!));
            if (!page.TryGetProperty("nextPageToken", out var token))
            {
                break;
            }

            path = "/v1/parties?filter=kind%20%3D%20ACADEMY&pageSize=2&pageToken=" + Uri.EscapeDataString(token.GetString()!);
        }

        Assert.Equal(["parties/aca-nancy-metz", "parties/aca-reims", "parties/aca-strasbourg"], names);
    }

    [Fact]
    public async Task ImportingTheExtract_Creates741Schools_ThenChangesNothing()
    {
        var csv = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "SeedData", "annuaire-grand-est-synthetic.csv"));
        var body = JsonSerializer.Serialize(new { csv });

        var first = await Gateway.JsonOf(await _gateway.SendAsync(HttpMethod.Post, "/v1/parties:importSchools", "dev-admin-key", body));
        var second = await Gateway.JsonOf(await _gateway.SendAsync(HttpMethod.Post, "/v1/parties:importSchools", "dev-admin-key", body));

        Assert.Equal(741, first.GetProperty("created").GetInt32());
        Assert.Equal(30, first.GetProperty("skipped").GetInt32());
        Assert.False(first.TryGetProperty("rejected", out _));
        Assert.False(second.TryGetProperty("created", out _));
        Assert.False(second.TryGetProperty("updated", out _));
        Assert.Equal(741, second.GetProperty("unchanged").GetInt32());

        var competence = await Gateway.JsonOf(await _gateway.SendAsync(HttpMethod.Get, "/v1/parties/uai-0671001z:competence?date=2019-11-22", "dev-cea-key"));
        Assert.Equal("parties/dep-67", competence.GetProperty("competentAuthority").GetString());
        var today = await Gateway.JsonOf(await _gateway.SendAsync(HttpMethod.Get, "/v1/parties/uai-0671001z", "dev-cea-key"));
        Assert.Equal("parties/cea", today.GetProperty("competentAuthority").GetString());
    }

    [Fact]
    public async Task Succession_PassesTheSchoolsOnItsDate()
    {
        await _gateway.SendAsync(HttpMethod.Post, "/v1/parties?partyId=suite-dep", "dev-admin-key", """{"kind":"DEPARTMENT","displayName":"Ancien","inseeCode":"90"}""");
        await _gateway.SendAsync(HttpMethod.Post, "/v1/parties?partyId=suite-successor", "dev-admin-key", """{"kind":"SPECIAL_COLLECTIVITY","displayName":"Nouvelle"}""");
        await _gateway.SendAsync(HttpMethod.Post, "/v1/parties", "dev-admin-key",
            """{"kind":"SCHOOL","displayName":"Collège","uai":"0679006A","schoolType":"COLLEGE","sector":"PUBLIC","academy":"parties/aca-strasbourg","competentAuthority":"parties/suite-dep"}""");

        var succeeded = await _gateway.SendAsync(HttpMethod.Post, "/v1/parties/suite-dep:succeed", "dev-admin-key",
            """{"successor":"parties/suite-successor","effectiveDate":"2021-01-01"}""");

        Assert.Equal("2020-12-31", (await Gateway.JsonOf(succeeded)).GetProperty("validTo").GetString());
        var before = await Gateway.JsonOf(await _gateway.SendAsync(HttpMethod.Get, "/v1/parties/uai-0679006a:competence?date=2020-12-31", "dev-observer-key"));
        var after = await Gateway.JsonOf(await _gateway.SendAsync(HttpMethod.Get, "/v1/parties/uai-0679006a:competence?date=2021-01-01", "dev-observer-key"));
        Assert.Equal("parties/suite-dep", before.GetProperty("competentAuthority").GetString());
        Assert.Equal("parties/suite-successor", after.GetProperty("competentAuthority").GetString());
    }

    [Theory]
    [InlineData("""{"kind":"SCHOOL","displayName":"Collège","uai":"0679007C","schoolType":"COLLEGE","sector":"PUBLIC","academy":"parties/aca-strasbourg"}""", "uai")]
    [InlineData("""{"kind":"REGION","displayName":"R","inseeCode":"44",""", "party")]
    [InlineData("null", "party")]
    [InlineData("""{"kind":"REGION","displayName":"R","inseeCode":"44","colour":"blue"}""", "colour")]
    [InlineData("""{"kind":3,"displayName":"R","inseeCode":"44"}""", "kind")]
    public async Task BadInput_Gets400_NamingTheField(string json, string field)
    {
        var response = await _gateway.SendAsync(HttpMethod.Post, "/v1/parties", "dev-admin-key", json);

        Assert.Contains(field, Gateway.Fields(await Gateway.AssertStatusAsync(response, HttpStatusCode.BadRequest, 3)));
    }

    [Fact]
    public async Task AWrongMethod_Gets405_WithAllow()
    {
        var response = await _gateway.SendAsync(HttpMethod.Delete, "/v1/parties/dep-57", "dev-admin-key");

        await Gateway.AssertStatusAsync(response, HttpStatusCode.MethodNotAllowed, 12);
        Assert.Contains("GET", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task AnUnknownRoute_Gets404_WithABody() =>
        await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Get, "/v1/nowhere", "dev-admin-key"), HttpStatusCode.NotFound, 5);

    [Fact]
    public async Task NoKey_Gets401() =>
        await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Get, "/v1/parties", key: null), HttpStatusCode.Unauthorized, 16);

    [Fact]
    public async Task AnUnknownKey_Gets401() =>
        await Gateway.AssertStatusAsync(await _gateway.SendAsync(HttpMethod.Get, "/v1/parties", "not-a-key"), HttpStatusCode.Unauthorized, 16);

    [Fact]
    public async Task ACollectivity_MayNotCreateAParty() =>
        await Gateway.AssertStatusAsync(
            await _gateway.SendAsync(HttpMethod.Post, "/v1/parties", "dev-moselle-key", """{"kind":"REGION","displayName":"R","inseeCode":"44"}"""),
            HttpStatusCode.Forbidden, 7);

    [Fact]
    public async Task IdentityHeadersSentByTheClient_AreIgnored()
    {
        var response = await _gateway.SendAsync(HttpMethod.Post, "/v1/parties", "dev-moselle-key", """{"kind":"REGION","displayName":"R","inseeCode":"44"}""",
            request =>
            {
                request.Headers.Add("X-Ent-Party", "parties/region-grand-est");
                request.Headers.Add("X-Ent-Roles", "admin");
                request.Headers.Add("X-Caller-Roles", "admin");
            });

        await Gateway.AssertStatusAsync(response, HttpStatusCode.Forbidden, 7);
    }

    [Fact]
    public async Task AForgedToken_IsNotAKey()
    {
        const string Forged = "eyJhbGciOiJub25lIn0.eyJyb2xlIjpbImFkbWluIl0sImlzcyI6ImVudC1wYXJ0bmVyc2hpcCJ9.";
        var response = await _gateway.SendAsync(HttpMethod.Get, "/v1/parties", key: null, configure: r => r.Headers.Add("Authorization", "Bearer " + Forged));

        await Gateway.AssertStatusAsync(response, HttpStatusCode.Unauthorized, 16);
    }

    [Fact]
    public async Task ACallStraightToAService_WithoutTheGatewaysToken_Is401()
    {
        using var direct = new HttpClient { BaseAddress = suite.App.GetEndpoint("communications", "http") };
        var anonymous = await direct.GetAsync("/v1/communications");
        using var forged = new HttpRequestMessage(HttpMethod.Get, "/v1/communications");
        forged.Headers.Add("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjpbImFkbWluIl0sImlzcyI6ImVudC1wYXJ0bmVyc2hpcCJ9.c2lnbmF0dXJl");
        var signedElsewhere = await direct.SendAsync(forged);

        await Gateway.AssertStatusAsync(anonymous, HttpStatusCode.Unauthorized, 16);
        await Gateway.AssertStatusAsync(signedElsewhere, HttpStatusCode.Unauthorized, 16);
    }

    [Fact]
    public async Task Health_IsAnsweredWithoutAKey()
    {
        var response = await suite.Gateway.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ACreatedParty_ReachesAnotherProcess_AsAnEvent()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync((await suite.App.GetConnectionStringAsync("redis"))!);
        var handler = new WaitingHandler("parties/suite-event");
        var consumer = new EventConsumer(redis, new EventConsumerOptions("parties:events", "suite-test-" + Guid.NewGuid().ToString("N")[..8]), handler, NullLogger<EventConsumer>.Instance);
        await consumer.EnsureGroupAsync();

        await _gateway.SendAsync(HttpMethod.Post, "/v1/parties?partyId=suite-event", "dev-admin-key", """{"kind":"ENT_PROVIDER","displayName":"Opérateur de test"}""");

        using var timeout = new CancellationTokenSource(Patience);
        while (!handler.Seen.Task.IsCompleted)
        {
            if (await consumer.PollAsync(timeout.Token) == 0)
            {
                await Task.Delay(50, timeout.Token);
            }
        }

        var received = await handler.Seen.Task;
        Assert.Equal("ent.partnership.parties.v1.PartyCreated", received.Type);
        Assert.Equal("Opérateur de test", received.DataAs(PartyCreated.Parser).Party.DisplayName);
    }

    private sealed class WaitingHandler(string subject) : IEventHandler
    {
        public TaskCompletionSource<ReceivedEvent> Seen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task HandleAsync(ReceivedEvent received, CancellationToken cancellationToken)
        {
            if (received.Subject == subject)
            {
                Seen.TrySetResult(received);
            }

            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task APersonSignedInThroughTheIdentityProject_ActsThroughTheGateway_AndTheHistoryNamesThePerson()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await suite.App.ResourceNotifications.WaitForResourceHealthyAsync("identity", timeout.Token);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = suite.App.GetEndpoint("identity", "http") };

        var discovery = JsonDocument.Parse(await browser.GetStringAsync("/.well-known/openid-configuration", timeout.Token)).RootElement;
        var page = System.Net.WebUtility.HtmlDecode(await browser.GetStringAsync("/connect/choose", timeout.Token));
        var token = await PersonSignIn.AccessTokenAsync(browser, "dev-admin", new Uri(suite.App.GetEndpoint("console", "http"), "/signin-oidc").ToString());
        var created = await _gateway.SendAsync(HttpMethod.Post, "/v1/parties?partyId=group-by-a-person", null,
            """{"kind":"PURCHASING_GROUP","displayName":"Groupement créé par une personne","validFrom":"2026-01-01"}""",
            request => request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token));
        var history = await _gateway.OkAsync(HttpMethod.Get, "/v1/parties/group-by-a-person:history", "dev-observer-key");

        Assert.Equal(new Uri(browser.BaseAddress!, "/connect/authorize").ToString(), discovery.GetProperty("authorization_endpoint").GetString());
        Assert.Equal(["S256"], discovery.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(m => m.GetString()));
        Assert.Contains("Chargée de communication — Région Grand Est", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal("person:dev-admin", history.GetProperty("entries")[0].GetProperty("actor").GetProperty("subject").GetString());
    }

    [Fact]
    public async Task TheDocsPage_WorksOffline_WithSearchAndCodeSamples()
    {
        var (exitCode, output) = await NodeScript.RunAsync("docs-in-browser.mjs", TimeSpan.FromMinutes(2), suite.Gateway.BaseAddress!.ToString().TrimEnd('/'));

        Assert.True(exitCode == 0, output);
        var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal([suite.Gateway.BaseAddress!.Authority], result.GetProperty("hosts").EnumerateArray().Select(h => h.GetString()));
        Assert.Contains("Gets one membership of a purchasing group", result.GetProperty("found").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("curl ", result.GetProperty("sample").GetString(), StringComparison.Ordinal);
    }
}
