using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;
using CsCheck;
using Ent.Partnership.Suite.Tests;
using StackExchange.Redis;

namespace Ent.Partnership.Resilience;

/// <summary>
/// Requests derived from the gateway's OpenAPI document, then broken: random and mutated JSON bodies, wrong
/// types, huge strings, deep nesting, invalid UTF-8, unknown enum names, bad page tokens and filters, path
/// traversal and injection-shaped ids. None may earn a 5xx or an empty answer, every error is a
/// <c>google.rpc.Status</c>, and nothing of a refused request is stored: string values carry a mark unique
/// to their request, and Redis, searched afterwards, holds only the marks of accepted ones. Short mode
/// (every run): 1,500 requests; <c>RESILIENCE_MODE=long</c>: 30,000.
/// </summary>
[Collection(SuiteFixture.Collection)]
public sealed class BadInputTests(SuiteFixture suite, Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly bool Long = Environment.GetEnvironmentVariable("RESILIENCE_MODE") == "long";

    /// <summary>Stands in a generated string for the mark of the request that carries it.</summary>
    private const string Mark = "@@mark@@";

    private static readonly Regex Marks = new("fuzz[0-9]+x", RegexOptions.Compiled);

    private readonly ConcurrentDictionary<string, bool> _marks = new();
    private int _sent;

    private static readonly string[] NastyIds =
    [
        "..", "../../etc/passwd", "%2e%2e%2f%2e%2e", "' OR '1'='1", "\"; DROP TABLE parties; --", "<script>alert(1)</script>",
        "${jndi:ldap://x}", "parties/cea", "a b", "é", "\u0000", "%00", "%ff%fe", "🙂", new string('a', 5000), "-1", "0", "*", ":", "uai-0671001z",
    ];

    private static readonly string[] NastyValues =
    [
        "", " ", "null", "-1", "0", "2147483648", "99999999999999999999", "1e309", "NaN", "true", "NOT_AN_ENUM", "kind = ",
        "kind = SCHOOL AND", "((((", "kind = \"", "valid_on = 2026-13-45", "..%2f..%2f", "%", "%zz", "\\u0000", new string('x', 20_000),
    ];

    private readonly HttpClient _client = new() { BaseAddress = suite.Gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    [Fact]
    public async Task NoRequest_HoweverMalformed_EarnsA5xx_OrAnAnswerThatIsNotAStatus()
    {
        await suite.ImportSchoolsOnceAsync();
        var document = JsonNode.Parse(await _client.GetStringAsync("/openapi/v1.json"))!;
        var operations = Operations(document).ToArray();
        var requests = Gen.Int[0, operations.Length - 1].SelectMany(i => RequestFor(operations[i], document));

        await requests.SampleAsync(SendAndCheckAsync, iter: Long ? 30_000 : 1_500, threads: 2, print: r => r.ToString());
        // The control: an accepted request's mark is found, so the search would find a refused one's.
        await new Gateway(_client).OkAsync(HttpMethod.Post, "/v1/parties", "dev-admin-key", """{"kind":"ENT_PROVIDER","displayName":"Prestataire fuzz0x"}""");

        var stored = await StoredMarksAsync();
        Assert.Contains("fuzz0x", stored);
        var refused = _marks.Where(m => !m.Value).Select(m => m.Key).ToHashSet();
        output.WriteLine($"{_sent} requests; {_marks.Count} carried a mark, {refused.Count} of them refused; {stored.Count} marks found in Redis");
        Assert.NotEmpty(refused);
        Assert.DoesNotContain(stored, refused.Contains);
    }

    /// <summary>Every mark found in Redis: key names, strings, hashes, sets, sorted sets, lists and streams.</summary>
    private async Task<HashSet<string>> StoredMarksAsync()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync((await suite.App.GetConnectionStringAsync("redis"))!);
        var db = redis.GetDatabase();
        var found = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var key in redis.GetServer(redis.GetEndPoints()[0]).KeysAsync(pageSize: 1000))
        {
            IEnumerable<RedisValue> values = await db.KeyTypeAsync(key) switch
            {
                RedisType.String => [await db.StringGetAsync(key)],
                RedisType.Hash => (await db.HashGetAllAsync(key)).SelectMany(e => new[] { e.Name, e.Value }),
                RedisType.Set => await db.SetMembersAsync(key),
                RedisType.SortedSet => await db.SortedSetRangeByRankAsync(key),
                RedisType.List => await db.ListRangeAsync(key),
                RedisType.Stream => (await db.StreamRangeAsync(key)).SelectMany(e => e.Values.Select(v => v.Value)),
                _ => [],
            };
            foreach (var text in values.Select(v => v.ToString()).Append(key.ToString()))
            {
                found.UnionWith(Marks.Matches(text).Select(m => m.Value));
            }
        }

        return found;
    }

    /// <summary>
    /// The one malformed request the suite cannot answer with a status: Kestrel refuses a NUL in the path
    /// (<c>%00</c>) while it parses the request line, before any middleware, with an empty 400. Refused, not
    /// a 5xx and nothing stored; recorded in docs/decisions.md.
    /// </summary>
    [Fact]
    public async Task NullInThePath_IsRefusedByKestrel_BeforeAnyCode()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/parties/%00");
        request.Headers.Add("X-Api-Key", "dev-admin-key");
        using var response = await _client.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }

    private async Task SendAndCheckAsync(FuzzRequest fuzz)
    {
        using var request = new HttpRequestMessage(new HttpMethod(fuzz.Method), fuzz.Path);
        request.Headers.TryAddWithoutValidation("X-Api-Key", "dev-admin-key");
        var mark = $"fuzz{Interlocked.Increment(ref _sent)}x";
        if (fuzz.Body is not null)
        {
            request.Content = new ByteArrayContent(Marked(fuzz.Body, mark));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(fuzz.ContentType);
        }

        using var response = await _client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        if (fuzz.Body is not null && Encoding.UTF8.GetString(fuzz.Body).Contains(Mark, StringComparison.Ordinal))
        {
            _marks[mark] = status < 300;
        }

        Assert.True(status < 500, $"{status} for {fuzz}: {Cut(text)}");
        Assert.False(string.IsNullOrEmpty(text), $"empty {status} answer for {fuzz}");
        if (status >= 400)
        {
            using var error = JsonDocument.Parse(text);
            Assert.True(error.RootElement.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.Number, $"{status} without a code for {fuzz}: {Cut(text)}");
            Assert.True(error.RootElement.TryGetProperty("message", out _), $"{status} without a message for {fuzz}: {Cut(text)}");
        }
    }

    /// <summary>The body with its request's mark in place of <see cref="Mark"/>; a body that is not UTF-8 is sent as it is.</summary>
    private static byte[] Marked(byte[] body, string mark)
    {
        var text = Encoding.UTF8.GetString(body);
        return text.Contains(Mark, StringComparison.Ordinal) && Encoding.UTF8.GetBytes(text).AsSpan().SequenceEqual(body)
            ? Encoding.UTF8.GetBytes(text.Replace(Mark, mark, StringComparison.Ordinal))
            : body;
    }

    private static string Cut(string text) => text.Length > 300 ? text[..300] + "…" : text;

    /// <summary>One request: the method, the path with its query, and the body as bytes with its content type.</summary>
    public sealed record FuzzRequest(string Method, string Path, byte[]? Body, string ContentType)
    {
        public override string ToString() =>
            $"{Method} {Cut(Path)} [{ContentType}] {(Body is null ? "no body" : Cut(Encoding.UTF8.GetString(Body)))}";
    }

    private sealed record Operation(string Method, string Template, JsonNode? BodySchema, string[] Query);

    private static IEnumerable<Operation> Operations(JsonNode document)
    {
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var query = (operation!["parameters"]?.AsArray() ?? [])
                    .Where(p => (string?)p!["in"] == "query").Select(p => (string)p!["name"]!).ToArray();
                var schema = operation["requestBody"]?["content"]?["application/json"]?["schema"];
                yield return new Operation(method.ToUpperInvariant(), path, schema, query);
            }
        }
    }

    private static Gen<FuzzRequest> RequestFor(Operation operation, JsonNode document) =>
        from path in PathFor(operation.Template)
        from query in QueryFor(operation.Query)
        from body in operation.BodySchema is null ? Gen.Const<(byte[]?, string)>((null, "application/json")) : BodyFor(operation.BodySchema, document)
        select new FuzzRequest(operation.Method, path + query, body.Item1, body.Item2);

    /// <summary>Each <c>{segment}</c> of the template filled with a plausible, random or hostile id.</summary>
    private static Gen<string> PathFor(string template)
    {
        var parts = template.Split('{');
        Gen<string> path = Gen.Const(parts[0]);
        foreach (var part in parts.Skip(1))
        {
            var rest = part[(part.IndexOf('}') + 1)..];
            path = from head in path
                   from id in Gen.Frequency((3, Gen.OneOf(NastyIds)), (2, Gen.String[Gen.Char.AlphaNumeric, 1, 12]), (1, Gen.String))
                   where !id.Contains('\0') // Kestrel's own 400, see NullInThePath_IsRefusedByKestrel_BeforeAnyCode
                   select head + Uri.EscapeDataString(id) + rest;
        }

        return path;
    }

    private static Gen<string> QueryFor(string[] names) =>
        names.Length == 0
            ? Gen.Const("")
            : Gen.Int[0, Math.Min(3, names.Length)].SelectMany(count =>
                Gen.Select(Gen.OneOf(names).Array[count], Gen.OneOf(NastyValues).Array[count], (keys, values) =>
                    keys.Length == 0 ? "" : "?" + string.Join('&', keys.Zip(values, (k, v) => k + "=" + Uri.EscapeDataString(v)))));

    /// <summary>A body shaped by the schema, then perhaps broken in one of many ways.</summary>
    private static Gen<(byte[]?, string)> BodyFor(JsonNode schema, JsonNode document) =>
        Gen.Frequency(
            (6, ValueFor(schema, document, 0).Select(v => (Utf8(v?.ToJsonString()), "application/json"))),
            (2, ValueFor(schema, document, 0).SelectMany(v => Mutated(v))),
            (1, Gen.OneOf(
                ((byte[]?)null, "application/json"),
                (Utf8("{"), "application/json"),
                (Utf8("[]"), "application/json"),
                (Utf8("null"), "application/json"),
                (Utf8("\"text\""), "application/json"),
                (Utf8(new string('[', 10_000) + new string(']', 10_000)), "application/json"),
                (Utf8("{\"a\":" + new string('{', 5_000) + new string('}', 5_001)), "application/json"),
                ([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d], "application/json"),
                (Utf8("{\"name\": \"" + new string('é', 200_000) + "\"}"), "application/json"),
                (Utf8("name=x"), "application/x-www-form-urlencoded"),
                (Utf8("{}"), "text/plain"))));

    private static Gen<(byte[]?, string)> Mutated(JsonNode? value)
    {
        if (value is not JsonObject obj || obj.Count == 0)
        {
            return Gen.Const((Utf8("{\"unknownField\": 1}"), "application/json"));
        }

        var keys = obj.Select(p => p.Key).ToArray();
        return from key in Gen.OneOf(keys)
               from replacement in Gen.OneOf<JsonNode?>(null, 12345, -1, true, "NOT_AN_ENUM", new JsonArray(1, 2), new JsonObject { ["x"] = 1 }, new string('z', 100_000))
               select (Utf8(Replace(obj, key, replacement)), "application/json");
    }

    private static string Replace(JsonObject obj, string key, JsonNode? replacement)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy[key] = replacement?.DeepClone();
        return copy.ToJsonString();
    }

    /// <summary>A JSON value for the schema: the declared fields with random values of their type, enums from their names.</summary>
    private static Gen<JsonNode?> ValueFor(JsonNode schema, JsonNode document, int depth)
    {
        if (schema["$ref"] is { } reference)
        {
            var name = ((string)reference!).Split('/')[^1];
            return depth > 3 ? Gen.Const<JsonNode?>(new JsonObject()) : ValueFor(document["components"]!["schemas"]![name]!, document, depth + 1);
        }

        if (schema["enum"] is JsonArray names)
        {
            var values = names.Select(n => (string)n!).ToArray();
            return Gen.OneOf(values).Select(v => (JsonNode?)JsonValue.Create(v));
        }

        return (string?)schema["type"] switch
        {
            "object" when schema["properties"] is JsonObject properties => ObjectFor(properties, document, depth),
            "object" => Gen.Const<JsonNode?>(new JsonObject()),
            "array" when schema["items"] is { } items && depth < 4 =>
                ValueFor(items, document, depth + 1).Array[0, 3].Select(a => (JsonNode?)new JsonArray(a.Select(v => v?.DeepClone()).ToArray())),
            "array" => Gen.Const<JsonNode?>(new JsonArray()),
            "integer" => Gen.Int[-5, 1000].Select(i => (JsonNode?)JsonValue.Create(i)),
            "number" => Gen.Double[-1e6, 1e6].Select(d => (JsonNode?)JsonValue.Create(d)),
            "boolean" => Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
            _ => Gen.Frequency(
                    (3, Gen.String[Gen.Char.AlphaNumeric, 0, 20]), (1, Gen.OneOf(NastyIds)), (1, Gen.OneOf(NastyValues)),
                    (2, Gen.String[Gen.Char.AlphaNumeric, 1, 12].Select(text => text + Mark)))
                .Select(s => (JsonNode?)JsonValue.Create(s)),
        };
    }

    private static Gen<JsonNode?> ObjectFor(JsonObject properties, JsonNode document, int depth)
    {
        Gen<JsonObject> result = Gen.Const(0).Select(_ => new JsonObject());
        foreach (var (name, property) in properties)
        {
            result = from obj in result
                     from present in Gen.Int[0, 2]
                     from value in ValueFor(property!, document, depth + 1)
                     select present == 0 ? obj : With(obj, name, value);
        }

        return result.Select(o => (JsonNode?)o);
    }

    private static JsonObject With(JsonObject obj, string name, JsonNode? value)
    {
        obj[name] = value?.DeepClone();
        return obj;
    }

    private static byte[]? Utf8(string? text) => text is null ? null : Encoding.UTF8.GetBytes(text);
}
