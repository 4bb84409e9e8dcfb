using System.Text;
using System.Text.Json;

namespace Ent.Partnership.Suite.Tests;

/// <summary>The ENT sandbox as the tests drive it: what it received, and how often it fails.</summary>
public sealed class Sandbox(HttpClient client)
{
    /// <summary>The sandbox's items of one message, by UAI.</summary>
    public async Task<Dictionary<string, int>> ReceivedAsync(string name)
    {
        var prefix = name["communications/".Length..] + ".";
        var news = JsonDocument.Parse(await client.GetStringAsync("/news")).RootElement;
        return news.GetProperty("schools").EnumerateArray()
            .Select(s => (Uai: s.GetProperty("uai").GetString()!, Count: s.GetProperty("news").EnumerateArray().Count(n => n.GetProperty("id").GetString()!.StartsWith(prefix, StringComparison.Ordinal))))
            .Where(s => s.Count > 0)
            .ToDictionary(s => s.Uai, s => s.Count);
    }

    public async Task SetFailureRateAsync(double rate)
    {
        using var response = await client.PutAsync("/settings", new StringContent(JsonSerializer.Serialize(new { failureRate = rate }), Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }
}
