using System.Net;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Ent.Partnership.Suite.Tests;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Ent.Partnership.Resilience;

/// <summary>
/// Processes of the suite killed with SIGKILL while clients write through the gateway, then started again:
/// checked afterwards against the clients' own log, nothing acknowledged is lost or doubled, every event
/// had its effect once, and every refusal on the way was a status a client can act on.
/// </summary>
[Collection(SuiteFixture.Collection)]
public sealed class ProcessKillTests(SuiteFixture suite, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly bool Long = Environment.GetEnvironmentVariable("RESILIENCE_MODE") == "long";

    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private const int Clients = 4;

    private readonly HttpClient _client = new() { BaseAddress = suite.Gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    private readonly HttpClient _sandboxClient = new() { BaseAddress = suite.App.GetEndpoint("ent-sandbox", "http"), Timeout = TimeSpan.FromSeconds(30) };
    private readonly Faults _faults = new(suite.App);

    private List<string> _lycees = [];
    private string _reimsSchool = "";

    public async Task InitializeAsync()
    {
        await suite.ImportSchoolsOnceAsync();
        var gateway = new Gateway(_client);
        var lycees = await gateway.OkAsync(HttpMethod.Get, "/v1/parties?pageSize=500&filter=" + Uri.EscapeDataString("kind = SCHOOL AND competent_authority = \"parties/region-grand-est\" AND academy = \"parties/aca-nancy-metz\""), Workload.Admin);
        // Lycées whose rectorat validates the clients' messages. The ENT outage test writes to the first
        // lycées of the Moselle; each message here goes to a school of its own.
        _lycees = [.. lycees.GetProperty("parties").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).Where(n => !n.StartsWith("parties/uai-057109", StringComparison.Ordinal))];
        var reims = await gateway.OkAsync(HttpMethod.Get, "/v1/parties?pageSize=1&filter=" + Uri.EscapeDataString("kind = SCHOOL AND competent_authority = \"parties/dep-51\""), Workload.Admin);
        _reimsSchool = reims.GetProperty("parties")[0].GetProperty("name").GetString()!;
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        _sandboxClient.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task EachServiceKilledUnderLoad_LosesNoAcknowledgedWrite_AndEachEventHasItsEffectOnce()
    {
        var workload = new Workload(_client, "svc", _lycees[..(_lycees.Count / 2)], _reimsSchool);

        await UnderLoadAsync(workload, async progress =>
        {
            for (var round = 0; round < (Long ? 3 : 1); round++)
            {
                foreach (var service in new[] { "parties", "conventions", "obligations", "communications", "gateway" })
                {
                    await _faults.KillAsync(service);
                    await _faults.StartAsync(service);
                    await progress(6);
                }
            }
        });

        await VerifyAsync(workload);
    }

    [Fact]
    public async Task RedisKilledUnderLoad_LosesNoAcknowledgedWrite_AndTheSuiteTurnsRedThenGreen()
    {
        var workload = new Workload(_client, "redis", _lycees[(_lycees.Count / 2)..], _reimsSchool);

        await UnderLoadAsync(workload, async progress =>
        {
            for (var round = 0; round < (Long ? 3 : 1); round++)
            {
                await _faults.KillAsync("redis");
                await HealthAsync(HttpStatusCode.ServiceUnavailable);
                await _faults.StartAsync("redis");
                await HealthAsync(HttpStatusCode.OK);
                await progress(6);
            }
        });

        await VerifyAsync(workload);
    }

    /// <summary>
    /// Runs the clients, waits until they are well under way, hurts the suite (<paramref name="faults"/> waits
    /// for a number of writes more between faults), and lets the clients finish the writes they started.
    /// </summary>
    private async Task UnderLoadAsync(Workload workload, Func<Func<int, Task>, Task> faults)
    {
        using var stop = new CancellationTokenSource();
        var running = workload.RunAsync(Clients, stop.Token);
        await ProgressAsync(workload, 12, running);
        await faults(writes => ProgressAsync(workload, writes, running));
        await stop.CancelAsync();
        await running.WaitAsync(Patience);

        var refusals = workload.Refusals.GroupBy(r => r.Http).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}");
        output.WriteLine($"{workload.Acknowledged} writes acknowledged; refusals by HTTP status (0: no answer): {string.Join(", ", refusals)}");
        Assert.All(workload.Refusals.Where(r => r.Http != 0), r => Assert.True(Workload.CodeOf(r.Body) is not null, $"{r.Request}: {r.Http} without a status: {r.Body}"));
    }

    private static async Task ProgressAsync(Workload workload, int writes, Task running)
    {
        var target = workload.Acknowledged + writes;
        using var deadline = new CancellationTokenSource(Patience);
        while (workload.Acknowledged < target)
        {
            Assert.False(running.IsFaulted, running.Exception?.ToString());
            Assert.False(deadline.IsCancellationRequested, $"the clients made no progress in {Patience}: {workload.Acknowledged} writes acknowledged; last refusals: {string.Join("; ", workload.Refusals.TakeLast(5))}");
            await Task.Delay(100, CancellationToken.None);
        }
    }

    private async Task HealthAsync(HttpStatusCode expected)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            try
            {
                using var response = await _client.GetAsync("/health");
                if (response.StatusCode == expected)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // The gateway is starting.
            }

            Assert.False(deadline.IsCancellationRequested, $"the gateway's health did not become {expected} in {Patience}");
            await Task.Delay(100, CancellationToken.None);
        }
    }

    /// <summary>What the clients were told was done is there once; what the events should have made, made once.</summary>
    private async Task VerifyAsync(Workload workload)
    {
        var gateway = new Gateway(_client);

        var parties = await ListAsync(gateway, "parties", "kind = ENT_PROVIDER", Workload.Admin);
        Assert.Equal(workload.Parties.Order(), parties.Where(p => Text(p, "displayName").StartsWith(workload.PartyPrefix, StringComparison.Ordinal)).Select(p => Text(p, "name")).Order());

        foreach (var convention in workload.Conventions)
        {
            Assert.Equal("IN_FORCE", Text(await gateway.OkAsync(HttpMethod.Get, "/v1/" + convention, Workload.Admin), "state"));
            // The convention's entry into force made the training obligation of each school year, once.
            var obligations = await ListAsync(gateway, "obligations", $"convention = \"{convention}\"", Workload.Admin);
            Assert.Equal(["2025-09-01", "2026-09-01"], obligations.Select(o => o.GetProperty("period").GetProperty("startDate").GetString()).Order());
        }

        foreach (var obligation in workload.Evidenced)
        {
            Assert.Single(await ListAsync(gateway, $"{obligation}/evidence", null, Workload.Admin, plural: "evidence"));
            Assert.Equal(1, (await gateway.OkAsync(HttpMethod.Get, "/v1/" + obligation, Workload.Admin)).GetProperty("achieved").GetInt32());
        }

        var messages = await ListAsync(gateway, "communications", "issuer = \"parties/region-grand-est\"", Workload.Region);
        Assert.Equal(workload.Messages.Select(m => m.Name).Order(), messages.Where(m => Text(m, "title").StartsWith(workload.MessagePrefix, StringComparison.Ordinal)).Select(m => Text(m, "name")).Order());
        var sandbox = new Sandbox(_sandboxClient);
        foreach (var message in workload.Messages)
        {
            await DeliveredAsync(gateway, message.Name);
            var uai = message.School["parties/uai-".Length..].ToUpperInvariant();
            Assert.Equal(new Dictionary<string, int> { [uai] = 1 }, await sandbox.ReceivedAsync(message.Name));
        }

        await EventsSettledAsync();
    }

    private static async Task DeliveredAsync(Gateway gateway, string message)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            var deliveries = await ListAsync(gateway, message + "/deliveries", null, Workload.Region, plural: "deliveries");
            if (deliveries.Count > 0 && deliveries.All(d => Text(d, "state") == "DELIVERED"))
            {
                return;
            }

            Assert.False(deadline.IsCancellationRequested, $"{message} not delivered in {Patience}: {string.Join(", ", deliveries)}");
            await Task.Delay(200, CancellationToken.None);
        }
    }

    /// <summary>Every consumer group of the conventions' events has handled everything; none was dead-lettered.</summary>
    private async Task EventsSettledAsync()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync((await suite.App.GetConnectionStringAsync("redis"))!);
        var db = redis.GetDatabase();
        using var deadline = new CancellationTokenSource(Patience);
        while ((await db.StreamGroupInfoAsync("conventions:events")).Any(g => g.PendingMessageCount > 0 || g.Lag is null or > 0))
        {
            Assert.False(deadline.IsCancellationRequested, "the consumers of conventions:events did not catch up");
            await Task.Delay(200, CancellationToken.None);
        }

        Assert.Equal(0, await db.StreamLengthAsync("obligations:dead-letter"));
        Assert.Equal(0, await db.StreamLengthAsync("communications:dead-letter"));
    }

    private static async Task<List<JsonElement>> ListAsync(Gateway gateway, string collection, string? filter, string key, string? plural = null)
    {
        var all = new List<JsonElement>();
        var token = "";
        do
        {
            var query = $"/v1/{collection}?pageSize=500&pageToken={Uri.EscapeDataString(token)}" + (filter is null ? "" : "&filter=" + Uri.EscapeDataString(filter));
            var page = await gateway.OkAsync(HttpMethod.Get, query, key);
            if (page.TryGetProperty(plural ?? collection, out var items))
            {
                all.AddRange(items.EnumerateArray().Select(i => i.Clone()));
            }

            token = page.TryGetProperty("nextPageToken", out var next) ? next.GetString() ?? "" : "";
        }
        while (token.Length > 0);
        return all;
    }

    private static string Text(JsonElement element, string field) => element.TryGetProperty(field, out var value) ? value.GetString() ?? "" : "";
}
