using System.Text.Json;
using Aspire.Hosting.Testing;
using Ent.Partnership.Suite.Tests;

namespace Ent.Partnership.Resilience;

/// <summary>The ENT refusing every push for a while, then recovering: deliveries back off, then each school gets the message once.</summary>
[Collection(SuiteFixture.Collection)]
public sealed class EntOutageTests(SuiteFixture suite) : IAsyncLifetime
{
    private static readonly bool Long = Environment.GetEnvironmentVariable("RESILIENCE_MODE") == "long";

    private const string Region = "dev-region-key";

    private readonly Gateway _gateway = new(suite.Gateway);
    private readonly HttpClient _sandboxClient = new() { BaseAddress = suite.App.GetEndpoint("ent-sandbox", "http"), Timeout = TimeSpan.FromSeconds(30) };

    private Sandbox Sandbox => new(_sandboxClient);

    public Task InitializeAsync() => suite.ImportSchoolsOnceAsync();

    public async Task DisposeAsync()
    {
        await Sandbox.SetFailureRateAsync(0);
        _sandboxClient.Dispose();
    }

    [Fact]
    public async Task WhileTheEntRefusesEveryPush_DeliveriesBackOff_ThenEachSchoolGetsTheMessageOnce()
    {
        string[] schools = ["0571091B", "0571092C", "0571093D", "0571094E"];
        await Sandbox.SetFailureRateAsync(1);
        var name = await PublishAsync(schools);

        // The outage: every push refused (half of them after the ENT stored the item, as a lost answer
        // would), until each delivery has been tried several times and none delivered.
        var attempts = Long ? 12 : 4;
        var failing = await WaitForDeliveriesAsync(name, d => d.All(x => Int(x, "attempts") >= attempts), TimeSpan.FromMinutes(Long ? 5 : 2));
        Assert.All(failing, d => Assert.NotEqual("DELIVERED", Text(d, "state")));

        await Sandbox.SetFailureRateAsync(0);
        var delivered = await WaitForDeliveriesAsync(name, d => d.All(x => Text(x, "state") == "DELIVERED"), TimeSpan.FromMinutes(2));

        Assert.Equal(schools.Length, delivered.Count);
        Assert.Equal(schools.ToDictionary(s => s, _ => 1), await Sandbox.ReceivedAsync(name));
    }

    private async Task<string> PublishAsync(string[] schools)
    {
        var json = JsonSerializer.Serialize(new
        {
            title = "Fermeture exceptionnelle des lycées",
            body = "Les lycées seront fermés vendredi en raison d'une alerte météo.",
            category = "SAFETY",
            audiences = new[] { "PARENTS", "PUPILS" },
            targets = new { schools = schools.Select(s => $"parties/uai-{s.ToLowerInvariant()}") },
            expireTime = DateTimeOffset.UtcNow.AddDays(10).ToString("yyyy-MM-ddTHH:mm:ssZ"),
        });
        var name = (await _gateway.OkAsync(HttpMethod.Post, "/v1/communications", Region, json)).GetProperty("name").GetString()!;
        await _gateway.OkAsync(HttpMethod.Post, $"/v1/{name}:submit", Region, "{}");
        await _gateway.OkAsync(HttpMethod.Post, $"/v1/{name}:approve", "dev-rectorat-nancy-metz-key", "{}");
        return name;
    }

    private async Task<List<JsonElement>> WaitForDeliveriesAsync(string name, Func<List<JsonElement>, bool> condition, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var page = await _gateway.OkAsync(HttpMethod.Get, $"/v1/{name}/deliveries", Region);
            var deliveries = page.TryGetProperty("deliveries", out var list) ? list.EnumerateArray().ToList() : [];
            if (deliveries.Count > 0 && condition(deliveries))
            {
                return deliveries;
            }

            Assert.False(deadline.IsCancellationRequested, $"{name}: deliveries did not get there in {timeout}: {string.Join(", ", deliveries)}");
            await Task.Delay(200);
        }
    }

    /// <summary>Proto JSON leaves out fields at their default (0, the first enum value).</summary>
    private static int Int(JsonElement element, string field) => element.TryGetProperty(field, out var value) ? value.GetInt32() : 0;

    private static string Text(JsonElement element, string field) => element.TryGetProperty(field, out var value) ? value.GetString() ?? "" : "";
}
