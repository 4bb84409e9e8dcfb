using System.Net;
using System.Text;
using System.Text.Json;

namespace Ent.Partnership.Suite.Tests;

/// <summary>A partner's REST calls through the gateway, and what the tests check of every answer.</summary>
public sealed class Gateway(HttpClient client)
{
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key, string? json = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        configure?.Invoke(request);
        var response = await client.SendAsync(request);
        Assert.True((int)response.StatusCode < 500, $"{method} {path} answered {(int)response.StatusCode}");
        return response;
    }

    /// <summary>Sends and reads a 200 answer's JSON.</summary>
    public async Task<JsonElement> OkAsync(HttpMethod method, string path, string key, string? json = null)
    {
        var response = await SendAsync(method, path, key, json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {path} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    public static async Task<JsonElement> JsonOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    /// <summary>Asserts a <c>google.rpc.Status</c> answer with <paramref name="code"/>; gives its details.</summary>
    public static async Task<JsonElement[]> AssertStatusAsync(HttpResponseMessage response, HttpStatusCode http, int code)
    {
        var body = await JsonOf(response);
        Assert.True(http == response.StatusCode, $"expected {(int)http}, got {(int)response.StatusCode}: {body}");
        Assert.Equal(code, body.GetProperty("code").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));
        return body.TryGetProperty("details", out var details) ? [.. details.EnumerateArray()] : [];
    }

    /// <summary>The <c>type</c>s of the PreconditionFailure violations among <paramref name="details"/>.</summary>
    public static IEnumerable<(string Type, string Subject)> Violations(JsonElement[] details) =>
        details.Where(d => d.TryGetProperty("violations", out _))
            .SelectMany(d => d.GetProperty("violations").EnumerateArray())
            .Select(v => (v.GetProperty("type").GetString()!, v.GetProperty("subject").GetString()!));

    /// <summary>The fields named by the BadRequest violations among <paramref name="details"/>.</summary>
    public static IEnumerable<string> Fields(JsonElement[] details) =>
        details.Where(d => d.TryGetProperty("fieldViolations", out _))
            .SelectMany(d => d.GetProperty("fieldViolations").EnumerateArray())
            .Select(v => v.GetProperty("field").GetString()!);
}
