using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Components.Authorization;

namespace Ent.Partnership.Console;

/// <summary>
/// An answer of the gateway: its JSON, or the French message of its google.rpc.Status with the field it names and
/// the unmet conditions it describes.
/// </summary>
public sealed record GatewayAnswer(JsonElement? Body, string? Error, string? Field = null, IReadOnlyList<string>? Conditions = null)
{
    public bool Ok => Error is null;

    /// <summary>The refusal as the person reads it: the message, the field, what is missing.</summary>
    public string Explained =>
        string.Join(" ", [Field is null ? Error : $"{Error} (champ {Field})", .. Conditions ?? []]);
}

/// <summary>
/// The gateway, called with the signed-in person's access token (a claim of the console's cookie, so that
/// interactive pages have it too): the console has no key of its own.
/// </summary>
public sealed class GatewayClient(HttpClient http, AuthenticationStateProvider authentication)
{
    public const string AccessTokenClaim = "access_token";

    /// <summary>The API's JSON names; a field left empty is left out.</summary>
    private static readonly JsonSerializerOptions Written = new(JsonSerializerOptions.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

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
            request.Content = new StringContent(JsonSerializer.Serialize(body, Written), Encoding.UTF8, "application/json");
        }

        using var response = await SendOrNullAsync(request, cancellationToken);
        if (response is null)
        {
            return new GatewayAnswer(null, "La passerelle ne répond pas : réessayez dans un instant.");
        }

        JsonElement json;
        try
        {
            json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement.Clone();
        }
        catch (JsonException)
        {
            return new GatewayAnswer(null, $"La passerelle a répondu de façon inattendue (HTTP {(int)response.StatusCode}).");
        }

        if (response.IsSuccessStatusCode)
        {
            return new GatewayAnswer(json, null);
        }

        var message = Json.Text(json, "message");
        var details = Json.Items(json, "details").ToList();
        var field = details.SelectMany(d => Json.Items(d, "fieldViolations")).Select(v => Json.Text(v, "field")).FirstOrDefault();
        var conditions = details.SelectMany(d => Json.Items(d, "violations")).Select(v => Json.Text(v, "description")).Where(d => d.Length > 0).ToList();
        return new GatewayAnswer(null, message.Length > 0 ? message : "La passerelle n'a pas répondu.", field, conditions);
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
