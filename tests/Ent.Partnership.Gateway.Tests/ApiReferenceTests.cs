using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ent.Partnership.Tests.Support;

namespace Ent.Partnership.Gateway.Tests;

/// <summary>The API reference the gateway serves without a key: the OpenAPI document and the /docs page.</summary>
public sealed partial class ApiReferenceTests(GatewayFactory gateway) : IClassFixture<GatewayFactory>
{
    private readonly HttpClient _client = gateway.CreateClient();

    private async Task<JsonElement> DocumentAsync()
    {
        var response = await _client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    private static IEnumerable<(string Path, string Verb, JsonElement Operation)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => (p.Name, o.Name, o.Value)));

    /// <summary>The protos beside the tests: each <c>get:</c>, <c>post:</c>... line is one REST binding.</summary>
    private static IReadOnlyList<string> ProtoBindings()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!Directory.Exists(Path.Combine(directory!.FullName, "protos")))
        {
            directory = directory.Parent;
        }

        return Directory.EnumerateFiles(Path.Combine(directory.FullName, "protos", "ent", "partnership"), "*.proto", SearchOption.AllDirectories)
            .SelectMany(File.ReadLines)
            .Select(l => Binding().Match(l))
            .Where(m => m.Success)
            .Select(m => m.Groups["verb"].Value + " " + m.Groups["template"].Value)
            .ToList();
    }

    [Fact]
    public async Task EveryRestBindingOfEveryService_IsOneOperation_OnAPathOfLiteralSegments()
    {
        var operations = Operations(await DocumentAsync()).ToList();

        Assert.Equal(ProtoBindings().Count, operations.Count);
        Assert.All(operations, o => Assert.DoesNotMatch("[=*]", o.Path));
        Assert.Equal(operations.Count, operations.Select(o => o.Verb + " " + o.Path).Distinct().Count());
        Assert.Equal(operations.Count, operations.Select(o => o.Operation.GetProperty("operationId").GetString()).Distinct().Count());
        Assert.Contains(operations, o => (o.Verb, o.Path) == ("post", "/v1/conventions/{conventionId}/amendments/{amendmentId}:submit"));
        Assert.Contains(operations, o => (o.Verb, o.Path) == ("get", "/v1/communications/{communicationId}/deliveries/{deliveryId}"));
        Assert.Contains(operations, o => (o.Verb, o.Path) == ("post", "/v1/communications:check"));
        Assert.Contains(operations, o => (o.Verb, o.Path) == ("get", "/v1/parties/{partyId}:competence"));
    }

    [Fact]
    public async Task ProtoComments_AreTheDescriptions()
    {
        var document = await DocumentAsync();
        var check = Operations(document).Single(o => o.Path == "/v1/communications:check").Operation;
        var communication = document.GetProperty("components").GetProperty("schemas").GetProperty("communications_v1_Communication");

        Assert.StartsWith("Checks a message, saved or not, against the usage charter", check.GetProperty("description").GetString());
        Assert.Equal("Communications", check.GetProperty("tags")[0].GetString());
        Assert.StartsWith("An institutional message from a collectivity", communication.GetProperty("description").GetString());
        Assert.StartsWith("The title.", communication.GetProperty("properties").GetProperty("title").GetProperty("description").GetString());
    }

    [Fact]
    public async Task TheQueryParametersAndTheBody_FollowTheHttpRule()
    {
        var operations = Operations(await DocumentAsync()).ToList();
        var create = operations.Single(o => (o.Verb, o.Path) == ("post", "/v1/communications")).Operation;
        var list = operations.Single(o => (o.Verb, o.Path) == ("get", "/v1/communications")).Operation;

        Assert.Equal(["communicationId", "requestId"], create.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Equal("#/components/schemas/communications_v1_Communication",
            create.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Equal(["pageSize", "pageToken", "filter"], list.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task FieldBehaviours_AreRequiredListsAndReadOnlyProperties()
    {
        var schemas = (await DocumentAsync()).GetProperty("components").GetProperty("schemas");
        var party = schemas.GetProperty("parties_v1_Party");
        var ticket = schemas.GetProperty("obligations_v1_Ticket");
        var operations = Operations(await DocumentAsync()).ToList();
        var history = operations.Single(o => (o.Verb, o.Path) == ("get", "/v1/parties/{partyId}:history")).Operation;

        Assert.Equal(["kind", "displayName"], party.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.True(party.GetProperty("properties").GetProperty("name").GetProperty("readOnly").GetBoolean());
        Assert.True(party.GetProperty("properties").GetProperty("createTime").GetProperty("readOnly").GetBoolean());
        Assert.False(party.GetProperty("properties").GetProperty("displayName").TryGetProperty("readOnly", out _));
        Assert.Equal(["obligation", "school", "level", "summary"], ticket.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.True(ticket.GetProperty("properties").GetProperty("sla").GetProperty("readOnly").GetBoolean());
        Assert.Equal([false, false], history.GetProperty("parameters").EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query")
            .Select(p => p.GetProperty("required").GetBoolean()));
    }

    [Fact]
    public async Task EveryOperation_HasAnExampleOfItsAnswer_AndOfItsBody_ThatItsSchemaAccepts()
    {
        var document = await DocumentAsync();
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var problems = new List<string>();
        foreach (var (path, verb, operation) in Operations(document))
        {
            var answer = operation.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json");
            ExampleChecker.Check(answer, schemas, request: false, $"{verb} {path} answer", problems);
            if (operation.TryGetProperty("requestBody", out var body))
            {
                ExampleChecker.Check(body.GetProperty("content").GetProperty("application/json"), schemas, request: true, $"{verb} {path} body", problems);
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public async Task TheExamples_AreTheSampleData_AndRequestsLeaveOutTheOutputs()
    {
        var operations = Operations(await DocumentAsync()).ToList();
        JsonElement Example(string verb, string path, string part) => part == "answer"
            ? operations.Single(o => (o.Verb, o.Path) == (verb, path)).Operation.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("example")
            : operations.Single(o => (o.Verb, o.Path) == (verb, path)).Operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");

        var convention = Example("get", "/v1/conventions/{conventionId}", "answer");
        var created = Example("post", "/v1/conventions", "body");
        var listed = Example("get", "/v1/parties", "answer");
        var message = Example("get", "/v1/communications/{communicationId}", "answer");
        var check = Example("post", "/v1/communications:check", "body");

        Assert.Equal("conventions/mbn-grand-est", convention.GetProperty("name").GetString());
        Assert.StartsWith("Convention de partenariat", convention.GetProperty("title").GetString());
        Assert.Equal(convention.GetProperty("title").GetString(), created.GetProperty("title").GetString());
        Assert.False(created.TryGetProperty("name", out _));
        Assert.False(created.TryGetProperty("state", out _));
        Assert.Equal("Région Grand Est", listed.GetProperty("parties")[0].GetProperty("displayName").GetString());
        Assert.Equal(message.GetProperty("body").GetString(), check.GetProperty("communication").GetProperty("body").GetString());
        Assert.False(check.GetProperty("communication").TryGetProperty("state", out _));
    }

    [Fact]
    public async Task TheDocsPage_AndItsScript_AreServedWithoutAKey_AndLoadNothingFromElsewhere()
    {
        var page = await _client.GetStringAsync("/docs/");
        var script = await _client.GetAsync("/docs/scalar.js");

        Assert.Contains("<script src=\"scalar.js\">", page, StringComparison.Ordinal);
        Assert.DoesNotMatch("(src|href|url)[=\"':]+(https?:)?//", page);
        Assert.Contains("\"withDefaultFonts\":false", page, StringComparison.Ordinal);
        Assert.Contains("\"telemetry\":false", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task TheDocument_PassesARealOpenApiValidator()
    {
        var file = Path.Combine(Path.GetTempPath(), $"openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, await _client.GetStringAsync("/openapi/v1.json"));
        try
        {
            var (exitCode, output) = await NodeScript.RunAsync("validate-openapi.mjs", TimeSpan.FromMinutes(2), file);

            Assert.True(exitCode == 0, output);
            Assert.Contains("\"valid\":true", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [GeneratedRegex(@"^\s*(?<verb>get|post|put|patch|delete): ""(?<template>[^""]+)""")]
    private static partial Regex Binding();
}
