using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Google.Api;
using Google.Protobuf.Reflection;
using Label = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Label;
using Type = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Type;

namespace Ent.Partnership.Gateway;

/// <summary>
/// The examples of the OpenAPI document. Each resource is as the suite answers it with its sample data
/// (captured by <c>Examples/capture.sh</c> into <c>Examples/examples.json</c>, embedded at build time); other
/// messages are made from their fields, the resources in them taken from the capture. A request's example
/// leaves out the outputs (OUTPUT_ONLY) and the optional fields.
/// </summary>
public sealed partial class ApiExamples(TypeIndex types, JsonObject captured)
{
    private const int MaxDepth = 6;

    public static JsonObject LoadCaptured()
    {
        using var stream = typeof(ApiExamples).Assembly.GetManifestResourceStream("api-examples.json")
            ?? throw new InvalidOperationException("The API examples are not embedded: build the gateway.");
        return JsonNode.Parse(stream)!.AsObject();
    }

    /// <summary>An answer of type <paramref name="fullName"/>.</summary>
    public JsonNode Answer(string fullName) => Of(fullName, request: false, 0);

    /// <summary>A request body of type <paramref name="fullName"/>.</summary>
    public JsonNode Request(string fullName) => Of(fullName, request: true, 0);

    /// <summary>The body of a <c>body: "*"</c> rule: the request's fields the path does not fill.</summary>
    public JsonObject RequestFields(MessageInfo message, IReadOnlySet<string> bound) =>
        Fields(message, message.Message.Field.Where(f => !bound.Contains(f.Name)), request: true, 0);

    private JsonNode Of(string fullName, bool request, int depth)
    {
        if (WellKnown(fullName) is { } known)
        {
            return known;
        }

        if (types.Enum(fullName) is { } enumType)
        {
            return enumType.Value.First(v => v.Number != 0).Name;
        }

        var message = types.Message(fullName);
        return captured[ApiReference.SchemaName(fullName)] is JsonObject resource
            ? request ? WithoutOutputs(message.Message, resource.DeepClone().AsObject()) : resource.DeepClone()
            : Fields(message, message.Message.Field, request, depth);
    }

    private JsonObject Fields(MessageInfo message, IEnumerable<FieldDescriptorProto> fields, bool request, int depth)
    {
        var example = new JsonObject();
        var oneofsTaken = new HashSet<int>();
        foreach (var field in fields)
        {
            var behaviors = TypeIndex.Behaviors(field);
            var inOneof = field.HasOneofIndex && !field.Proto3Optional;
            if (behaviors.Contains(FieldBehavior.Optional) || (request && behaviors.Contains(FieldBehavior.OutputOnly))
                || (inOneof && !oneofsTaken.Add(field.OneofIndex)) || (field.Type == Type.Message && depth >= MaxDepth))
            {
                continue;
            }

            var value = Single(message, field, request, depth);
            example[field.JsonName] = IsMap(field) ? new JsonObject()
                : field.Label == Label.Repeated ? new JsonArray(value)
                : value;
        }

        return example;
    }

    private JsonNode Single(MessageInfo message, FieldDescriptorProto field, bool request, int depth) => field.Type switch
    {
        Type.Message or Type.Enum => Of(field.TypeName, request, depth + 1),
        Type.String => Text(message, field),
        Type.Bool => true,
        Type.Double or Type.Float => 0.5,
        Type.Bytes => "ZXhlbXBsZQ==",
        _ => 1,
    };

    /// <summary>A day for a date, a resource name for a reference, the sample's words otherwise.</summary>
    private JsonNode Text(MessageInfo message, FieldDescriptorProto field)
    {
        var comment = types.FieldComment(message, field);
        if (field.Name == "next_page_token")
        {
            return "";
        }

        if (field.Name.EndsWith("_date", StringComparison.Ordinal) || field.Name.EndsWith("_on", StringComparison.Ordinal)
            || field.Name == "date" || comment.Contains("YYYY-MM-DD", StringComparison.Ordinal))
        {
            return "2026-09-01";
        }

        if (field.Name == "school_year")
        {
            return "2026-2027";
        }

        if (Pattern().Match(comment) is not { Success: true } name)
        {
            return "exemple";
        }

        var segments = name.Groups["name"].Value.Split('/');
        for (var i = 1; i < segments.Length; i += 2)
        {
            segments[i] = field.Name.StartsWith("school", StringComparison.Ordinal) && segments[i - 1] == "parties"
                ? SampleSchool
                : _sampleIds.GetValueOrDefault(segments[i - 1], "exemple");
        }

        return string.Join('/', segments);
    }

    /// <summary>A school of the sample data, for the fields that name schools.</summary>
    private const string SampleSchool = "uai-0671001z";

    /// <summary>
    /// The id of each collection's captured resource, top-level resources first: <c>conventions</c> →
    /// <c>mbn-grand-est</c>, <c>parties</c> → <c>region-grand-est</c>.
    /// </summary>
    private readonly Dictionary<string, string> _sampleIds = captured
        .Select(r => (r.Value as JsonObject)?["name"]?.GetValue<string>().Split('/') ?? [])
        .OrderBy(s => s.Length)
        .SelectMany(s => s.Chunk(2).Where(pair => pair.Length == 2))
        .GroupBy(pair => pair[0], pair => pair[1])
        .ToDictionary(g => g.Key, g => g.First());

    private JsonObject WithoutOutputs(DescriptorProto message, JsonObject example)
    {
        foreach (var field in message.Field)
        {
            if (TypeIndex.Behaviors(field).Contains(FieldBehavior.OutputOnly))
            {
                example.Remove(field.JsonName);
            }
            else if (field.Type == Type.Message && WellKnown(field.TypeName) is null && !IsMap(field) && example[field.JsonName] is { } value)
            {
                var nested = types.Message(field.TypeName).Message;
                foreach (var item in value is JsonArray items ? items.OfType<JsonObject>() : [value.AsObject()])
                {
                    WithoutOutputs(nested, item);
                }
            }
        }

        return example;
    }

    private bool IsMap(FieldDescriptorProto field) =>
        field.Label == Label.Repeated && field.Type == Type.Message && types.Message(field.TypeName).Message.Options?.MapEntry == true;

    private static JsonNode? WellKnown(string fullName) => fullName switch
    {
        ".google.protobuf.Timestamp" => "2026-09-01T08:00:00Z",
        ".google.protobuf.Duration" => "3600s",
        ".google.protobuf.FieldMask" => "displayName",
        ".google.protobuf.Empty" or ".google.protobuf.Struct" => new JsonObject(),
        _ => null,
    };

    /// <summary>A resource name in a comment: <c>`parties/{id}`</c>, <c>`conventions/{c}/meetings/{m}`</c>.</summary>
    [GeneratedRegex(@"`(?<name>[a-z]+/\{[^`\s]+\}(/[a-z]+/\{[^`\s]+\})*)`")]
    private static partial Regex Pattern();
}
