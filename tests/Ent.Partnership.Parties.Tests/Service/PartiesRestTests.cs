using System.Net;
using System.Text;
using System.Text.Json;

namespace Ent.Partnership.Parties.Tests.Service;

public sealed class PartiesRestTests(PartiesServiceFactory service) : IClassFixture<PartiesServiceFactory>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>The <c>google.rpc.Status</c> body of an error, and the fields its BadRequest names.</summary>
    private static async Task<(int Code, string[] Fields)> StatusOf(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var fields = body.RootElement.GetProperty("details").EnumerateArray()
            .Where(d => d.GetProperty("@type").GetString()!.EndsWith("BadRequest", StringComparison.Ordinal))
            .SelectMany(d => d.GetProperty("fieldViolations").EnumerateArray().Select(v => v.GetProperty("field").GetString()!))
            .ToArray();
        return (body.RootElement.GetProperty("code").GetInt32(), fields);
    }

    [Fact]
    public async Task Create_AnswersTheResource_WithBareEnumNames()
    {
        var response = await service.Rest(service.AdminToken).PostAsync("/v1/parties?partyId=rest-region",
            Json("""{"kind":"REGION","displayName":"Région de test","inseeCode":"44"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("parties/rest-region", body.RootElement.GetProperty("name").GetString());
        Assert.Equal("REGION", body.RootElement.GetProperty("kind").GetString());
        Assert.False(body.RootElement.TryGetProperty("uai", out _));
    }

    [Theory]
    [InlineData("""{"kind":3,"displayName":"Région"}""", "kind")]
    [InlineData("""{"kind":"REGION","displayName":"Région","inseeCode":"44","requestId":"x"}""", "requestId")]
    [InlineData("""{"kind":"REGION","displayName":"Région","representative":{"titel":"x"}}""", "representative.titel")]
    [InlineData("""{"kind":"NATION","displayName":"Région"}""", "kind")]
    [InlineData("null", "party")]
    [InlineData("[]", "party")]
    [InlineData("{\"kind\":", "party")]
    public async Task Create_IsRefused_NamingTheField(string json, string field)
    {
        var response = await service.Rest(service.AdminToken).PostAsync("/v1/parties", Json(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var (code, fields) = await StatusOf(response);
        Assert.Equal(3, code);
        Assert.Contains(field, fields);
    }

    [Fact]
    public async Task Create_IsRefused_WithoutABody()
    {
        var response = await service.Rest(service.AdminToken).PostAsync("/v1/parties", new StringContent("", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["party"], (await StatusOf(response)).Fields);
    }

    [Fact]
    public async Task Create_IsRefused_ForAMisspeltQueryParameter()
    {
        var response = await service.Rest(service.AdminToken).PostAsync("/v1/parties?requestld=abc",
            Json("""{"kind":"REGION","displayName":"Région","inseeCode":"44"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["requestld"], (await StatusOf(response)).Fields);
    }

    [Theory]
    [InlineData("DELETE", "/v1/parties/dep-57", "GET, PATCH")]
    [InlineData("PUT", "/v1/parties", "GET, POST")]
    [InlineData("GET", "/v1/parties:importSchools", "POST")]
    [InlineData("POST", "/v1/parties/dep-57:competence", "GET")]
    public async Task AWrongMethod_Gets405_WithTheMethodsThePathAnswers(string method, string path, string allow)
    {
        var response = await service.Rest(service.AdminToken).SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Json("{}") });

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(allow, string.Join(", ", response.Content.Headers.Allow));
        Assert.Equal(12, (await StatusOf(response)).Code);
    }

    [Fact]
    public async Task AnUnknownRoute_Gets404_WithAStatusBody()
    {
        var response = await service.Rest(service.AdminToken).GetAsync("/v1/nowhere");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(5, (await StatusOf(response)).Code);
    }

    [Fact]
    public async Task ACallWithoutToken_Gets401_WithAStatusBody()
    {
        var response = await service.Rest(null).GetAsync("/v1/parties/dep-57");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(16, (await StatusOf(response)).Code);
    }

    [Fact]
    public async Task Competence_IsAnswered_ForADate()
    {
        await service.Rest(service.AdminToken).PostAsync("/v1/parties",
            Json("""{"kind":"SCHOOL","displayName":"Collège","uai":"0679005Z","schoolType":"COLLEGE","sector":"PUBLIC","academy":"parties/aca-strasbourg","competentAuthority":"parties/dep-67"}"""));

        var response = await service.Rest(service.CollectivityToken).GetAsync("/v1/parties/uai-0679005z:competence?date=2019-11-22");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("parties/dep-67", body.RootElement.GetProperty("competentAuthority").GetString());
    }

    [Fact]
    public async Task Competence_IsRefused_ForAMalformedDate()
    {
        var response = await service.Rest(service.CollectivityToken).GetAsync("/v1/parties/dep-57:competence?date=22/11/2019");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["date"], (await StatusOf(response)).Fields);
    }

    [Fact]
    public async Task AWriteByACollectivity_Gets403_BeforeItsBodyIsRead()
    {
        var response = await service.Rest(service.CollectivityToken).PostAsync("/v1/parties", Json("{ not json"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(7, (await StatusOf(response)).Code);
    }
}
