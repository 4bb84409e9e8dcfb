using System.Net;
using Aspire.Hosting.Testing;
using Ent.Partnership.Suite.Tests;
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
        (_lycees, _reimsSchool) = await Workload.TargetsAsync(_client);
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
        var redis = (await suite.App.GetConnectionStringAsync("redis"))!;
        var webhook = await WebhookWatch.StartAsync(_client, _sandboxClient, "kill-svc", redis);

        await UnderLoadAsync(workload, async progress =>
        {
            for (var round = 0; round < (Long ? 3 : 1); round++)
            {
                foreach (var service in new[] { "parties", "conventions", "obligations", "communications", "notifications", "gateway" })
                {
                    await _faults.KillAsync(service);
                    await _faults.StartAsync(service);
                    await progress(6);
                }
            }
        });

        await workload.VerifyAsync(new Sandbox(_sandboxClient), () => Workload.EventsSettledAsync(redis));
        // Every event reached the webhook. One accepted twice is only possible for a post in flight when the
        // notifications service was killed (its 2xx came, its record did not): at most one pass's worth.
        var twice = await webhook.AcceptedTwiceAsync();
        output.WriteLine($"Webhook: {twice.Count} event(s) accepted twice");
        Assert.True(twice.Count <= 16 * (Long ? 3 : 1), $"{twice.Count} events accepted twice: {string.Join(", ", twice.Take(5))}");
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

        var redis = (await suite.App.GetConnectionStringAsync("redis"))!;
        await workload.VerifyAsync(new Sandbox(_sandboxClient), () => Workload.EventsSettledAsync(redis));
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

}
