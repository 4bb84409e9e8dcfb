using System.Text.Json.Nodes;
using Google.Api;
using Google.Protobuf.Reflection;
using Label = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Label;
using Type = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Type;

namespace Ent.Partnership.Gateway;

/// <summary>A message of the descriptor set, with its file and its path there (for its comments).</summary>
public sealed record MessageInfo(FileDescriptorProto File, DescriptorProto Message, int[] Path);

/// <summary>The messages and enums of a descriptor set by full name, their comments, and their JSON schemas.</summary>
public sealed class TypeIndex
{
    private readonly Dictionary<string, MessageInfo> _messages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (FileDescriptorProto File, EnumDescriptorProto Enum, int[] Path)> _enums = new(StringComparer.Ordinal);
    private readonly Dictionary<FileDescriptorProto, Dictionary<string, string>> _comments = [];
    private readonly HashSet<string> _referenced = new(StringComparer.Ordinal);

    public TypeIndex(FileDescriptorSet set)
    {
        foreach (var file in set.File)
        {
            var prefix = "." + file.Package;
            for (var i = 0; i < file.MessageType.Count; i++)
            {
                AddMessage(file, prefix, file.MessageType[i], [4, i]);
            }

            for (var i = 0; i < file.EnumType.Count; i++)
            {
                _enums[prefix + "." + file.EnumType[i].Name] = (file, file.EnumType[i], [5, i]);
            }

            _comments[file] = (file.SourceCodeInfo?.Location ?? [])
                .Where(l => l.HasLeadingComments)
                .GroupBy(l => string.Join(',', l.Path))
                .ToDictionary(g => g.Key, g => Clean(g.First().LeadingComments));
        }
    }

    /// <summary>The full names of the types a schema or an operation refers to.</summary>
    public IReadOnlySet<string> Referenced => _referenced;

    public MessageInfo Message(string fullName) =>
        _messages.TryGetValue(fullName, out var info) ? info : throw new InvalidOperationException($"No message {fullName} in the descriptors.");

    /// <summary>The enum of that full name, or null when it names none.</summary>
    public EnumDescriptorProto? Enum(string fullName) => _enums.TryGetValue(fullName, out var found) ? found.Enum : null;

    public string Comment(FileDescriptorProto file, int[] path) =>
        _comments[file].TryGetValue(string.Join(',', path), out var comment) ? comment : "";

    public string FieldComment(MessageInfo message, FieldDescriptorProto field) =>
        Comment(message.File, [.. message.Path, 2, message.Message.Field.IndexOf(field)]);

    /// <summary>A reference to a message or enum schema; well-known types inline.</summary>
    public JsonObject Reference(string fullName)
    {
        if (WellKnown(fullName) is { } inline)
        {
            return inline;
        }

        _referenced.Add(fullName);
        return new JsonObject { ["$ref"] = "#/components/schemas/" + ApiReference.SchemaName(fullName) };
    }

    public JsonObject FieldSchema(FieldDescriptorProto field)
    {
        if (field.Label == Label.Repeated && field.Type == Type.Message && _messages.TryGetValue(field.TypeName, out var entry) && entry.Message.Options?.MapEntry == true)
        {
            return new JsonObject { ["type"] = "object", ["additionalProperties"] = FieldSchema(entry.Message.Field[1]) };
        }

        JsonObject single = field.Type switch
        {
            Type.Message => Reference(field.TypeName),
            Type.Enum => Reference(field.TypeName),
            Type.String => new JsonObject { ["type"] = "string" },
            Type.Bool => new JsonObject { ["type"] = "boolean" },
            Type.Bytes => new JsonObject { ["type"] = "string", ["format"] = "byte" },
            Type.Double or Type.Float => new JsonObject { ["type"] = "number" },
            Type.Int64 or Type.Sint64 or Type.Sfixed64 or Type.Uint64 or Type.Fixed64 => new JsonObject { ["type"] = "integer", ["format"] = "int64" },
            _ => new JsonObject { ["type"] = "integer", ["format"] = "int32" },
        };
        return field.Label == Label.Repeated ? new JsonObject { ["type"] = "array", ["items"] = single } : single;
    }

    /// <summary>The body of a <c>body: "*"</c> rule: the request's fields that the path does not fill.</summary>
    public JsonObject BodySchema(MessageInfo request, IReadOnlySet<string> bound) =>
        ObjectSchema(request, request.Message.Field.Where(f => !bound.Contains(f.Name)));

    /// <summary>The schema of a referenced type, by full name.</summary>
    public JsonObject Schema(string fullName)
    {
        if (_enums.TryGetValue(fullName, out var found))
        {
            var values = new JsonArray();
            foreach (var value in found.Enum.Value.Where(v => v.Number != 0))
            {
                values.Add(value.Name);
            }

            var lines = found.Enum.Value.Select((v, i) => (v, Comment(found.File, [.. found.Path, 2, i])))
                .Where(x => x.v.Number != 0 && x.Item2.Length > 0)
                .Select(x => $"- `{x.v.Name}`: {x.Item2}");
            return new JsonObject
            {
                ["type"] = "string",
                ["enum"] = values,
                ["description"] = string.Join('\n', new[] { Comment(found.File, found.Path) }.Concat(lines).Where(l => l.Length > 0)),
            };
        }

        var message = Message(fullName);
        var schema = ObjectSchema(message, message.Message.Field);
        schema["description"] = Comment(message.File, message.Path);
        return schema;
    }

    /// <summary>The field's <c>google.api.field_behavior</c> annotations.</summary>
    public static IReadOnlyCollection<FieldBehavior> Behaviors(FieldDescriptorProto field) =>
        field.Options?.GetExtension(FieldBehaviorExtensions.FieldBehavior) ?? [];

    /// <summary>
    /// An object of the fields: REQUIRED ones listed in <c>required</c>, OUTPUT_ONLY ones <c>readOnly</c> (so a
    /// client sends neither a missing required field nor an output).
    /// </summary>
    private JsonObject ObjectSchema(MessageInfo message, IEnumerable<FieldDescriptorProto> fields)
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var field in fields)
        {
            var schema = FieldSchema(field);
            var comment = FieldComment(message, field);
            var behaviors = Behaviors(field);
            var property = schema.ContainsKey("$ref") && (comment.Length > 0 || behaviors.Count > 0) ? new JsonObject { ["allOf"] = new JsonArray(schema) } : schema;
            if (comment.Length > 0)
            {
                property["description"] = comment;
            }

            if (behaviors.Contains(FieldBehavior.OutputOnly))
            {
                property["readOnly"] = true;
            }

            if (behaviors.Contains(FieldBehavior.Required))
            {
                required.Add(field.JsonName);
            }

            properties[field.JsonName] = property;
        }

        var result = new JsonObject { ["type"] = "object", ["properties"] = properties };
        if (required.Count > 0)
        {
            result["required"] = required;
        }

        return result;
    }

    private static JsonObject? WellKnown(string fullName) => fullName switch
    {
        ".google.protobuf.Timestamp" => new JsonObject { ["type"] = "string", ["format"] = "date-time" },
        ".google.protobuf.Duration" => new JsonObject { ["type"] = "string", ["description"] = "Seconds with an `s` suffix, such as `3.5s`." },
        ".google.protobuf.FieldMask" => new JsonObject { ["type"] = "string", ["description"] = "Field paths separated by commas." },
        ".google.protobuf.Empty" => new JsonObject { ["type"] = "object" },
        ".google.protobuf.Struct" => new JsonObject { ["type"] = "object", ["additionalProperties"] = true },
        _ => null,
    };

    private void AddMessage(FileDescriptorProto file, string scope, DescriptorProto message, int[] path)
    {
        var name = scope + "." + message.Name;
        _messages[name] = new MessageInfo(file, message, path);
        for (var i = 0; i < message.NestedType.Count; i++)
        {
            AddMessage(file, name, message.NestedType[i], [.. path, 3, i]);
        }

        for (var i = 0; i < message.EnumType.Count; i++)
        {
            _enums[name + "." + message.EnumType[i].Name] = (file, message.EnumType[i], [.. path, 4, i]);
        }
    }

    /// <summary>A comment's lines, trimmed, joined as paragraphs.</summary>
    private static string Clean(string comment) =>
        string.Join('\n', comment.Split('\n').Select(l => l.Trim())).Trim().Replace("\n\n", "\u2029", StringComparison.Ordinal)
            .Replace('\n', ' ').Replace("\u2029", "\n\n", StringComparison.Ordinal);
}
