using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Google.Api;
using Google.Protobuf.Reflection;

namespace Ent.Partnership.Gateway;

/// <summary>
/// The OpenAPI document of every service behind the gateway, made from their protos (compiled with their
/// comments into the descriptor set embedded at build time): one operation per <c>google.api.http</c> rule
/// and additional binding, resource names expanded into literal segments
/// (<c>/v1/conventions/{conventionId}/amendments/{amendmentId}:submit</c>), comments as descriptions.
/// </summary>
public static partial class ApiReference
{
    private const string Package = "ent.partnership.";

    /// <summary>The error every operation may answer.</summary>
    private const string StatusSchemaName = "google_rpc_Status";

    /// <summary>The document, made once from the embedded descriptors.</summary>
    public static JsonObject Document { get; } = Build(LoadDescriptors(), ApiExamples.LoadCaptured());

    public static FileDescriptorSet LoadDescriptors()
    {
        using var stream = typeof(ApiReference).Assembly.GetManifestResourceStream("api-descriptors.pb")
            ?? throw new InvalidOperationException("The API descriptors are not embedded: build the gateway.");
        return FileDescriptorSet.Parser.WithExtensionRegistry([AnnotationsExtensions.Http, FieldBehaviorExtensions.FieldBehavior]).ParseFrom(stream);
    }

    public static JsonObject Build(FileDescriptorSet set, JsonObject capturedExamples)
    {
        var types = new TypeIndex(set);
        var examples = new ApiExamples(types, capturedExamples);
        var status = StatusSchema(types);
        var paths = new JsonObject();
        foreach (var file in set.File.Where(f => f.Package.StartsWith(Package, StringComparison.Ordinal)))
        {
            for (var s = 0; s < file.Service.Count; s++)
            {
                var service = file.Service[s];
                for (var m = 0; m < service.Method.Count; m++)
                {
                    var method = service.Method[m];
                    if (method.Options?.GetExtension(AnnotationsExtensions.Http) is not { } rule)
                    {
                        continue;
                    }

                    var description = types.Comment(file, [6, s, 2, m]);
                    foreach (var (binding, index) in new[] { rule }.Concat(rule.AdditionalBindings).Select((b, i) => (b, i)))
                    {
                        var (verb, template) = VerbAndTemplate(binding);
                        var (path, pathFields) = Expand(template);
                        var operation = Operation(types, examples, service.Name, method, binding, pathFields, description, index);
                        var item = paths[path] as JsonObject ?? [];
                        if (item.ContainsKey(verb))
                        {
                            throw new InvalidOperationException($"Two operations answer {verb.ToUpperInvariant()} {path}.");
                        }

                        item[verb] = operation;
                        paths[path] = item;
                    }
                }
            }
        }

        // Schemas refer to more schemas: go on until every type referred to has its own.
        var emitted = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        while (types.Referenced.FirstOrDefault(n => !emitted.ContainsKey(SchemaName(n))) is { } next)
        {
            emitted[SchemaName(next)] = types.Schema(next);
        }

        var schemas = new JsonObject { [StatusSchemaName] = status };
        foreach (var (name, schema) in emitted)
        {
            schemas[name] = schema;
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.3",
            ["info"] = new JsonObject
            {
                ["title"] = "Ent.Partnership",
                ["version"] = "v1",
                ["description"] = "The REST API of the ENT partnership suite: parties, conventions, obligations, communications and the webhooks that tell partners of changes. " +
                    "Every call under /v1 needs an API key (Authorization: Bearer <key> or X-Api-Key) or a person's access token from the " +
                    "identity project (Authorization: Bearer <token>); errors are google.rpc.Status.",
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = "/" }),
            ["security"] = new JsonArray(new JsonObject { ["apiKey"] = new JsonArray() }, new JsonObject { ["bearer"] = new JsonArray() }),
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["securitySchemes"] = new JsonObject
                {
                    ["apiKey"] = new JsonObject { ["type"] = "apiKey", ["in"] = "header", ["name"] = "X-Api-Key" },
                    ["bearer"] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer" },
                },
                ["schemas"] = schemas,
            },
        };
    }

    private static (string Verb, string Template) VerbAndTemplate(HttpRule rule) => rule.PatternCase switch
    {
        HttpRule.PatternOneofCase.Get => ("get", rule.Get),
        HttpRule.PatternOneofCase.Post => ("post", rule.Post),
        HttpRule.PatternOneofCase.Put => ("put", rule.Put),
        HttpRule.PatternOneofCase.Patch => ("patch", rule.Patch),
        HttpRule.PatternOneofCase.Delete => ("delete", rule.Delete),
        _ => throw new InvalidOperationException($"Unsupported HTTP rule {rule}."),
    };

    /// <summary>
    /// <c>/v1/{name=conventions/*/amendments/*}:submit</c> → <c>/v1/conventions/{conventionId}/amendments/{amendmentId}:submit</c>,
    /// with the request field each variable fills.
    /// </summary>
    public static (string Path, IReadOnlyList<(string Field, IReadOnlyList<string> Parameters)> Fields) Expand(string template)
    {
        var fields = new List<(string, IReadOnlyList<string>)>();
        var path = Variable().Replace(template, match =>
        {
            var field = match.Groups["field"].Value;
            var pattern = match.Groups["pattern"].Success ? match.Groups["pattern"].Value : "*";
            var segments = pattern.Split('/');
            var parameters = new List<string>();
            for (var i = 0; i < segments.Length; i++)
            {
                if (segments[i] is "*" or "**")
                {
                    var name = (i > 0 ? Singular(segments[i - 1]) : field.Split('.')[^1]) + "Id";
                    parameters.Add(name);
                    segments[i] = "{" + name + "}";
                }
            }

            fields.Add((field, parameters));
            return string.Join('/', segments);
        });
        return (path, fields);
    }

    private static string Singular(string collection) => collection switch
    {
        "evidence" => "evidence",
        _ when collection.EndsWith("ies", StringComparison.Ordinal) => collection[..^3] + "y",
        _ when collection.EndsWith('s') => collection[..^1],
        _ => collection,
    };

    private static JsonObject Operation(
        TypeIndex types, ApiExamples examples, string serviceName, MethodDescriptorProto method, HttpRule binding,
        IReadOnlyList<(string Field, IReadOnlyList<string> Parameters)> pathFields, string description, int bindingIndex)
    {
        var input = types.Message(method.InputType);
        var parameters = new JsonArray();
        foreach (var (field, names) in pathFields)
        {
            foreach (var name in names)
            {
                parameters.Add(new JsonObject
                {
                    ["name"] = name,
                    ["in"] = "path",
                    ["required"] = true,
                    ["description"] = $"Fills `{ToCamel(field)}`.",
                    ["schema"] = new JsonObject { ["type"] = "string" },
                });
            }
        }

        var bound = pathFields.Select(f => f.Field.Split('.')[0]).ToHashSet(StringComparer.Ordinal);
        if (binding.Body.Length > 0 && binding.Body != "*")
        {
            bound.Add(binding.Body);
        }

        if (binding.Body != "*")
        {
            foreach (var field in input.Message.Field.Where(f => !bound.Contains(f.Name)))
            {
                parameters.Add(new JsonObject
                {
                    ["name"] = field.JsonName,
                    ["in"] = "query",
                    ["required"] = TypeIndex.Behaviors(field).Contains(FieldBehavior.Required),
                    ["description"] = types.FieldComment(input, field),
                    ["schema"] = types.FieldSchema(field),
                });
            }
        }

        var operation = new JsonObject
        {
            ["tags"] = new JsonArray(serviceName),
            ["operationId"] = serviceName + "_" + method.Name + (bindingIndex > 0 ? "_" + bindingIndex : ""),
            ["summary"] = FirstSentence(description) ?? method.Name,
            ["description"] = description,
            ["parameters"] = parameters,
        };
        if (binding.Body.Length > 0)
        {
            var bodyField = input.Message.Field.FirstOrDefault(f => f.Name == binding.Body);
            JsonNode schema = bodyField is null ? types.BodySchema(input, bound) : types.FieldSchema(bodyField);
            var example = bodyField is null ? examples.RequestFields(input, bound) : examples.Request(bodyField.TypeName);
            operation["requestBody"] = new JsonObject
            {
                ["required"] = true,
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schema, ["example"] = example } },
            };
        }

        operation["responses"] = new JsonObject
        {
            ["200"] = new JsonObject
            {
                ["description"] = "OK",
                ["content"] = new JsonObject
                {
                    ["application/json"] = new JsonObject { ["schema"] = types.Reference(method.OutputType), ["example"] = examples.Answer(method.OutputType) },
                },
            },
            ["default"] = new JsonObject
            {
                ["description"] = "An error, as google.rpc.Status: 400, 401, 403, 404, 405, 409, 413, 429, 503, 504.",
                ["content"] = new JsonObject
                {
                    ["application/json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/" + StatusSchemaName } },
                },
            },
        };
        return operation;
    }

    /// <summary>google.rpc.Status, its details typed: each a google.rpc message with its <c>@type</c>.</summary>
    private static JsonObject StatusSchema(TypeIndex types)
    {
        var details = new JsonArray();
        foreach (var detail in new[] { "BadRequest", "PreconditionFailure", "ErrorInfo", "ResourceInfo" })
        {
            details.Add(new JsonObject
            {
                ["allOf"] = new JsonArray(
                    types.Reference(".google.rpc." + detail),
                    new JsonObject
                    {
                        ["type"] = "object",
                        ["required"] = new JsonArray("@type"),
                        ["properties"] = new JsonObject
                        {
                            ["@type"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("type.googleapis.com/google.rpc." + detail) },
                        },
                    }),
            });
        }

        return new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("code", "message"),
            ["properties"] = new JsonObject
            {
                ["code"] = new JsonObject { ["type"] = "integer", ["description"] = "The gRPC status code." },
                ["message"] = new JsonObject { ["type"] = "string", ["description"] = "What went wrong, in French." },
                ["details"] = new JsonObject
                {
                    ["type"] = "array",
                    ["description"] = "The field violations (BadRequest), the unmet conditions (PreconditionFailure), the stable reason " +
                        "(ErrorInfo, domain `ent.partnership`, reasons of `ErrorReason`) and the resource concerned (ResourceInfo).",
                    ["items"] = new JsonObject { ["oneOf"] = details },
                },
            },
        };
    }

    private static string? FirstSentence(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        var end = text.IndexOf(". ", StringComparison.Ordinal);
        return (end < 0 ? text : text[..(end + 1)]).Replace('\n', ' ').TrimEnd('.');
    }

    public static string SchemaName(string fullName) => fullName.TrimStart('.').Replace("ent.partnership.", "", StringComparison.Ordinal).Replace('.', '_');

    public static string ToCamel(string snake) => Regex.Replace(snake, "_([a-z0-9])", m => m.Groups[1].Value.ToUpperInvariant());

    [GeneratedRegex(@"\{(?<field>[a-z0-9_.]+)(=(?<pattern>[^}]+))?\}")]
    private static partial Regex Variable();
}
