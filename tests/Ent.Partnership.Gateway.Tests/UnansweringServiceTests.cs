using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Ent.Partnership.Gateway.Tests;

/// <summary>
/// The gateway in front of a service that answers too late and of one that is not there: its own answers
/// are <c>google.rpc.Status</c> bodies like every other.
/// </summary>
public sealed class UnansweringServiceTests : IAsyncLifetime
{
    private WebApplication _slowService = null!;
    private WebApplicationFactory<Program> _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _slowService = builder.Build();
        _slowService.MapGet("/v1/parties", async (HttpContext context) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
            return Results.Ok();
        });
        await _slowService.StartAsync();
        var address = _slowService.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        _gateway = GatewayFactory.InProduction(gateway =>
        {
            gateway.UseSetting("ReverseProxy:Clusters:parties:Destinations:parties:Address", address);
            gateway.UseSetting("ReverseProxy:Clusters:parties:HttpRequest:ActivityTimeout", "00:00:01");
            gateway.UseSetting("ReverseProxy:Clusters:conventions:Destinations:conventions:Address", "http://127.0.0.1:9");
        });
        _client = _gateway.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _slowService.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, int Code)> SendAsync(HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("X-Api-Key", "test-admin-key");
        using var response = await _client.SendAsync(request);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (response.StatusCode, body.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task AServiceTooSlow_Is504() =>
        Assert.Equal((HttpStatusCode.GatewayTimeout, 4), await SendAsync(HttpMethod.Get, "/v1/parties"));

    [Fact]
    public async Task AServiceThatIsNotThere_Is503_ToRetry()
    {
        Assert.Equal((HttpStatusCode.ServiceUnavailable, 14), await SendAsync(HttpMethod.Get, "/v1/conventions"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/conventions");
        request.Headers.Add("X-Api-Key", "test-admin-key");
        using var response = await _client.SendAsync(request);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task ABodyThatIsNotDeclaredJson_Is415() =>
        Assert.Equal((HttpStatusCode.UnsupportedMediaType, 3), await SendAsync(HttpMethod.Post, "/v1/conventions", new StringContent("title=x", Encoding.UTF8, "application/x-www-form-urlencoded")));
}
