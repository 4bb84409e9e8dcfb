using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Components.Authorization;

namespace Ent.Partnership.Console;

/// <summary>An answer of the gateway: its JSON, or the French message of its google.rpc.Status and the field it names.</summary>
public sealed record GatewayAnswer(JsonElement? Body, string? Error, string? Field)
{
    public bool Ok => Error is null;
}

/// <summary>
/// The gateway, called with the signed-in person's access token (a claim of the console's cookie, so that
/// interactive pages have it too): the console has no key of its own.
/// </summary>
public sealed class GatewayClient(HttpClient http, AuthenticationStateProvider authentication)
{
    public const string AccessTokenClaim = "access_token";

    public Task<GatewayAnswer> GetAsync(string path, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, path, null, cancellationToken);

    public Task<GatewayAnswer> PostAsync(string path, object body, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, path, body, cancellationToken);

    private async Task<GatewayAnswer> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        if (user.FindFirst(AccessTokenClaim)?.Value is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, "application/json");
        }

        using var response = await SendOrNullAsync(request, cancellationToken);
        if (response is null)
        {
            return new GatewayAnswer(null, "La passerelle ne répond pas : réessayez dans un instant.", null);
        }

        JsonElement json;
        try
        {
            json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement.Clone();
        }
        catch (JsonException)
        {
            return new GatewayAnswer(null, $"La passerelle a répondu de façon inattendue (HTTP {(int)response.StatusCode}).", null);
        }

        if (response.IsSuccessStatusCode)
        {
            return new GatewayAnswer(json, null, null);
        }

        var message = json.TryGetProperty("message", out var text) ? text.GetString() : null;
        var field = json.TryGetProperty("details", out var details)
            ? details.EnumerateArray().SelectMany(d => d.TryGetProperty("fieldViolations", out var v) ? v.EnumerateArray() : [])
                .Select(v => v.GetProperty("field").GetString()).FirstOrDefault()
            : null;
        return new GatewayAnswer(null, message ?? "La passerelle n'a pas répondu.", field);
    }

    /// <summary>The gateway's answer, or null when it cannot be reached.</summary>
    private async Task<HttpResponseMessage?> SendOrNullAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
