using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;

namespace Ent.Partnership.Console;

/// <summary>An answer of the gateway: its JSON, or the French message of its google.rpc.Status and the field it names.</summary>
public sealed record GatewayAnswer(JsonElement? Body, string? Error, string? Field)
{
    public bool Ok => Error is null;
}

/// <summary>The gateway, called with the signed-in person's access token: the console has no key of its own.</summary>
public sealed class GatewayClient(HttpClient http, IHttpContextAccessor accessor)
{
    public async Task<GatewayAnswer> GetAsync(string path, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        var token = accessor.HttpContext is { } context ? await context.GetTokenAsync("access_token") : null;
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        JsonElement body;
        try
        {
            body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement.Clone();
        }
        catch (JsonException)
        {
            return new GatewayAnswer(null, $"La passerelle a répondu de façon inattendue (HTTP {(int)response.StatusCode}).", null);
        }

        if (response.IsSuccessStatusCode)
        {
            return new GatewayAnswer(body, null, null);
        }

        var message = body.TryGetProperty("message", out var text) ? text.GetString() : null;
        var field = body.TryGetProperty("details", out var details)
            ? details.EnumerateArray().SelectMany(d => d.TryGetProperty("fieldViolations", out var v) ? v.EnumerateArray() : [])
                .Select(v => v.GetProperty("field").GetString()).FirstOrDefault()
            : null;
        return new GatewayAnswer(null, message ?? "La passerelle n'a pas répondu.", field);
    }
}
