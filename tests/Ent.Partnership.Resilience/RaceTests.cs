using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Ent.Partnership.Suite.Tests;

namespace Ent.Partnership.Resilience;

/// <summary>Writers racing on one resource, and clients retrying: one effect each, nothing lost.</summary>
[Collection(SuiteFixture.Collection)]
public sealed class RaceTests(SuiteFixture suite)
{
    private const int Writers = 16;

    private readonly HttpClient _client = new() { BaseAddress = suite.Gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    [Fact]
    public async Task WritersWithTheSameEtag_OneWinsPerVersion_TheOthersAreAborted()
    {
        var party = await SendAsync(HttpMethod.Post, "/v1/parties", new { kind = "ENT_PROVIDER", displayName = "Prestataire disputé" });
        var name = party.GetProperty("name").GetString()!;
        var etag = party.GetProperty("etag").GetString()!;
        for (var round = 1; round <= 5; round++)
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer =>
                PatchAsync(name, new { displayName = $"Prestataire {round}-{writer}", etag })));

            var winners = answers.Where(a => a.Status == HttpStatusCode.OK).ToList();
            Assert.Single(winners);
            Assert.All(answers.Where(a => a.Status != HttpStatusCode.OK), loser =>
            {
                Assert.Equal(HttpStatusCode.Conflict, loser.Status);
                Assert.Equal(10, loser.Body.GetProperty("code").GetInt32()); // ABORTED
            });
            var stored = await SendAsync(HttpMethod.Get, "/v1/" + name);
            Assert.Equal(winners[0].Body.GetProperty("displayName").GetString(), stored.GetProperty("displayName").GetString());
            Assert.NotEqual(etag, stored.GetProperty("etag").GetString());
            etag = stored.GetProperty("etag").GetString()!;
        }

        Assert.Equal("v6", etag); // created, then exactly one update per round
    }

    [Fact]
    public async Task ACreateRetried_WithItsRequestId_MakesOneResource_EvenAfterTheClientGaveUp()
    {
        var requestId = Guid.NewGuid().ToString();
        var displayName = "Prestataire " + requestId;
        var body = new { kind = "ENT_PROVIDER", displayName };

        // The first attempt: the client gives up at once; the request may or may not have reached the suite.
        using (var impatient = new HttpClient { BaseAddress = suite.Gateway.BaseAddress, Timeout = TimeSpan.FromMilliseconds(1) })
        {
            using var first = new HttpRequestMessage(HttpMethod.Post, $"/v1/parties?requestId={requestId}") { Content = JsonContent.Create(body) };
            first.Headers.Add("X-Api-Key", "dev-admin-key");
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient.SendAsync(first));
        }

        // Then retries, several at once, as a client with a retry policy and a second worker might send them.
        var retries = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            SendAsync(HttpMethod.Post, $"/v1/parties?requestId={requestId}", body)));

        Assert.Single(retries.Select(r => r.GetProperty("name").GetString()).Distinct());
        Assert.Equal(1, await CountAsync(displayName));
    }

    [Fact]
    public async Task TheLastTwoPartiesSigningAtOnce_PutTheConventionInForceOnce()
    {
        for (var round = 0; round < 5; round++)
        {
            var id = $"race-{Guid.NewGuid():N}"[..20];
            await SendAsync(HttpMethod.Post, $"/v1/conventions?conventionId={id}", new
            {
                title = "Convention signée à la course",
                effectiveDate = "2025-09-01",
                endDate = "2027-08-31",
                signatories = new[] { new { party = "parties/aca-reims", role = "ACADEMIC_AUTHORITY" }, new { party = "parties/dep-51", role = "COLLECTIVITY" } },
            });
            await SendAsync(HttpMethod.Post, $"/v1/conventions/{id}:submit", new { });

            // Both signatures at once, each retried with its requestId when it lost a race on the convention.
            await Task.WhenAll(
                SignAsync(id, new { party = "parties/aca-reims", signatoryName = "Le Recteur", signedOn = "2025-08-20" }),
                SignAsync(id, new { party = "parties/dep-51", signatoryName = "Le Président", signedOn = "2025-08-21" }));

            var convention = await SendAsync(HttpMethod.Get, $"/v1/conventions/{id}");
            Assert.Equal("IN_FORCE", convention.GetProperty("state").GetString());
            Assert.Equal(2, (await SendAsync(HttpMethod.Get, $"/v1/conventions/{id}/signatures")).GetProperty("signatures").GetArrayLength());
            await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync((await suite.App.GetConnectionStringAsync("redis"))!);
            var events = await redis.GetDatabase().StreamRangeAsync("conventions:events");
            Assert.Single(events, e => e["type"] == "ent.partnership.conventions.v1.ConventionInForce"
                && JsonDocument.Parse(e["event"].ToString()).RootElement.GetProperty("subject").GetString() == "conventions/" + id);
        }
    }

    private async Task SignAsync(string id, object signature)
    {
        var requestId = Guid.NewGuid();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/conventions/{id}/signatures?requestId={requestId}") { Content = JsonContent.Create(signature) };
            request.Headers.Add("X-Api-Key", "dev-admin-key");
            using var response = await _client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            Assert.True(response.StatusCode == HttpStatusCode.Conflict && JsonDocument.Parse(body).RootElement.GetProperty("code").GetInt32() == 10, $"signing {id}: {(int)response.StatusCode} {body}");
            Assert.False(deadline.IsCancellationRequested, $"signing {id}: still refused after a minute");
        }
    }

    private async Task<int> CountAsync(string displayName)
    {
        var count = 0;
        var token = "";
        do
        {
            var page = await SendAsync(HttpMethod.Get, $"/v1/parties?pageSize=500&filter=kind%20%3D%20ENT_PROVIDER&pageToken={Uri.EscapeDataString(token)}");
            count += page.GetProperty("parties").EnumerateArray().Count(p => p.GetProperty("displayName").GetString() == displayName);
            token = page.TryGetProperty("nextPageToken", out var next) ? next.GetString() ?? "" : "";
        }
        while (token.Length > 0);
        return count;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PatchAsync(string name, object patch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/v1/{name}?updateMask=displayName") { Content = JsonContent.Create(patch) };
        request.Headers.Add("X-Api-Key", "dev-admin-key");
        using var response = await _client.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", "dev-admin-key");
        using var response = await _client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
