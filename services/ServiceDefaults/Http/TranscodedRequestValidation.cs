using System.Text.Json;
using Ent.Partnership.ServiceDefaults.Errors;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http;

namespace Ent.Partnership.ServiceDefaults.Http;

/// <summary>
/// Checks a REST request against the input message of the gRPC method it is transcoded to, before the
/// transcoder sees it: the transcoder ignores unknown fields, accepts numbers for enums and builds an empty
/// message from a missing or <c>null</c> body, and each of those would silently do the wrong thing.
/// </summary>
public sealed class TranscodedRequestValidation(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var metadata = context.GetEndpoint()?.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>();
        if (metadata is null)
        {
            await next(context);
            return;
        }

        if (HasVerb(context.Request.Path.Value ?? "") && !HasVerb(TemplateOf(metadata.HttpRule)))
        {
            // The last segment of a rule without a custom verb also matches `{id}:verb`: no such method here.
            await ErrorResponses.WriteAsync(context, ErrorResponses.ForHttpStatus(StatusCodes.Status404NotFound, context.Request.Path), StatusCodes.Status404NotFound);
            return;
        }

        var input = metadata.MethodDescriptor.InputType;
        var body = metadata.HttpRule.Body;
        var violations = new List<FieldViolation>();
        CheckQuery(context.Request.Query, input, body, violations);
        if (!string.IsNullOrEmpty(body))
        {
            await CheckBodyAsync(context.Request, input, body, violations);
        }

        if (violations.Count > 0)
        {
            await ErrorResponses.WriteAsync(context, ErrorStatus.From(new InvalidArgumentException(violations)));
            return;
        }

        await next(context);
    }

    /// <summary>Whether a path (or an HTTP rule's template) ends with a custom verb, <c>…/{id}:history</c>.</summary>
    private static bool HasVerb(string path) =>
        path[(path.LastIndexOf('/') + 1)..] is var last && last.Contains(':', StringComparison.Ordinal) && !last.EndsWith('}');

    private static string TemplateOf(Google.Api.HttpRule rule) => rule.PatternCase switch
    {
        Google.Api.HttpRule.PatternOneofCase.Get => rule.Get,
        Google.Api.HttpRule.PatternOneofCase.Post => rule.Post,
        Google.Api.HttpRule.PatternOneofCase.Patch => rule.Patch,
        Google.Api.HttpRule.PatternOneofCase.Put => rule.Put,
        Google.Api.HttpRule.PatternOneofCase.Delete => rule.Delete,
        _ => rule.Custom?.Path ?? "",
    };

    /// <summary>Query parameters name fields of the input message outside the body; anything else is a typo.</summary>
    private static void CheckQuery(IQueryCollection query, MessageDescriptor input, string body, List<FieldViolation> violations)
    {
        foreach (var (key, values) in query)
        {
            var field = FindPath(input, key);
            if (field is null || body == "*" || (body.Length > 0 && IsUnderBody(key, body)))
            {
                violations.Add(new FieldViolation(key, $"Paramètre inconnu : « {key} »."));
                continue;
            }

            foreach (var value in values)
            {
                if (!IsValidQueryValue(field, value))
                {
                    violations.Add(new FieldViolation(key, $"La valeur « {value} » ne convient pas à ce paramètre."));
                }
            }
        }
    }

    private static bool IsUnderBody(string key, string body) =>
        key.Split('.')[0] is var head && (head == body || head == ToJsonName(body));

    private static string ToJsonName(string protoName) =>
        string.Concat(protoName.Split('_').Select((part, i) => i == 0 || part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));

    private static FieldDescriptor? FindPath(MessageDescriptor message, string path)
    {
        FieldDescriptor? field = null;
        foreach (var part in path.Split('.'))
        {
            if (message is null)
            {
                return null;
            }

            field = FindField(message, part);
            if (field is null)
            {
                return null;
            }

            message = field.FieldType == FieldType.Message && !IsWellKnown(field.MessageType) ? field.MessageType : null!;
        }

        return field;
    }

    private static bool IsValidQueryValue(FieldDescriptor field, string? value) => field.FieldType switch
    {
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => int.TryParse(value, out _),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => long.TryParse(value, out _),
        FieldType.UInt32 or FieldType.Fixed32 => uint.TryParse(value, out _),
        FieldType.UInt64 or FieldType.Fixed64 => ulong.TryParse(value, out _),
        FieldType.Bool => value is "true" or "false",
        FieldType.Double or FieldType.Float => double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _),
        FieldType.Enum => value is not null && field.EnumType.FindValueByName(value) is not null,
        _ => true,
    };

    private static async Task CheckBodyAsync(HttpRequest request, MessageDescriptor input, string body, List<FieldViolation> violations)
    {
        var (target, name) = body == "*"
            ? (input, "body")
            : (FindField(input, body)?.MessageType ?? input, ToJsonName(body));

        request.EnableBuffering();
        JsonDocument? document = null;
        try
        {
            if (request.ContentLength == 0 || !request.Body.CanRead)
            {
                violations.Add(new FieldViolation(name, "Le corps de la requête est obligatoire (un objet JSON)."));
                return;
            }

            document = await JsonDocument.ParseAsync(request.Body, default, request.HttpContext.RequestAborted);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                violations.Add(new FieldViolation(name, "Le corps de la requête doit être un objet JSON, non nul."));
                return;
            }

            // Paths are relative to the body, which is the resource itself for Create and Update.
            CheckObject(document.RootElement, target, "", violations);
        }
        catch (JsonException exception)
        {
            violations.Add(new FieldViolation(name, $"Le corps de la requête n'est pas du JSON valide : {exception.Message}"));
        }
        catch (InvalidOperationException exception) when (exception.InnerException is System.Text.DecoderFallbackException)
        {
            // The reader checks the UTF-8 of a name or a string only when it reads it.
            violations.Add(new FieldViolation(name, "Le corps de la requête n'est pas de l'UTF-8 valide."));
        }
        finally
        {
            document?.Dispose();
            request.Body.Position = 0;
        }
    }

    private static void CheckObject(JsonElement element, MessageDescriptor message, string prefix, List<FieldViolation> violations)
    {
        foreach (var property in element.EnumerateObject())
        {
            var path = prefix.Length == 0 ? property.Name : prefix + "." + property.Name;
            var field = FindField(message, property.Name);
            if (field is null)
            {
                violations.Add(new FieldViolation(path, $"Champ inconnu : « {property.Name} »."));
                continue;
            }

            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (field.IsMap)
            {
                var valueField = field.MessageType.FindFieldByNumber(2);
                if (property.Value.ValueKind == JsonValueKind.Object)
                {
                    foreach (var entry in property.Value.EnumerateObject())
                    {
                        CheckValue(entry.Value, valueField, path + "." + entry.Name, violations);
                    }
                }

                continue;
            }

            if (field.IsRepeated && property.Value.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var item in property.Value.EnumerateArray())
                {
                    CheckValue(item, field, $"{path}[{index++}]", violations);
                }

                continue;
            }

            CheckValue(property.Value, field, path, violations);
        }
    }

    private static void CheckValue(JsonElement value, FieldDescriptor field, string path, List<FieldViolation> violations)
    {
        switch (field.FieldType)
        {
            case FieldType.Enum when value.ValueKind == JsonValueKind.Number:
                violations.Add(new FieldViolation(path, $"Valeur attendue : un nom ({EnumNames(field.EnumType)}), non un nombre."));
                break;
            case FieldType.Enum when value.ValueKind == JsonValueKind.String && field.EnumType.FindValueByName(value.GetString()) is null:
                violations.Add(new FieldViolation(path, $"Valeur inconnue « {value.GetString()} » ; valeurs possibles : {EnumNames(field.EnumType)}."));
                break;
            case FieldType.Message when value.ValueKind == JsonValueKind.Object && !IsWellKnown(field.MessageType):
                CheckObject(value, field.MessageType, path, violations);
                break;
        }
    }

    private static string EnumNames(EnumDescriptor type) =>
        string.Join(", ", type.Values.Where(v => v.Number != 0).Select(v => v.Name));

    private static FieldDescriptor? FindField(MessageDescriptor message, string name) =>
        message.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == name || f.Name == name);

    private static bool IsWellKnown(MessageDescriptor type) => type.File.Package == "google.protobuf";
}
