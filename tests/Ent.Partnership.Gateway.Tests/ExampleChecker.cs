using System.Globalization;
using System.Text.Json;

namespace Ent.Partnership.Gateway.Tests;

/// <summary>
/// Whether an OpenAPI example fits its schema as a client reads it: every property is one of the schema's, of its
/// type (an enum's value among its values, a date-time parsed); a request's example holds every required property
/// and no read-only one.
/// </summary>
public static class ExampleChecker
{
    public static void Check(JsonElement content, JsonElement schemas, bool request, string where, List<string> problems)
    {
        if (!content.TryGetProperty("example", out var example))
        {
            problems.Add($"{where}: no example");
            return;
        }

        Fits(example, content.GetProperty("schema"), schemas, request, where, problems);
    }

    private static void Fits(JsonElement value, JsonElement schema, JsonElement schemas, bool request, string where, List<string> problems)
    {
        schema = Resolve(schema, schemas);
        var type = schema.TryGetProperty("type", out var t) ? t.GetString() : null;
        switch (type)
        {
            case "object":
                if (value.ValueKind != JsonValueKind.Object)
                {
                    problems.Add($"{where}: {value.ValueKind} where an object is expected");
                    return;
                }

                var properties = schema.TryGetProperty("properties", out var p) ? p : default;
                foreach (var property in value.EnumerateObject())
                {
                    if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var propertySchema))
                    {
                        var resolved = Resolve(propertySchema, schemas);
                        if (request && (IsReadOnly(propertySchema) || IsReadOnly(resolved)))
                        {
                            problems.Add($"{where}.{property.Name}: read-only in a request");
                        }

                        Fits(property.Value, propertySchema, schemas, request, $"{where}.{property.Name}", problems);
                    }
                    else if (schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.Object)
                    {
                        Fits(property.Value, additional, schemas, request, $"{where}.{property.Name}", problems);
                    }
                    else if (!schema.TryGetProperty("additionalProperties", out _))
                    {
                        problems.Add($"{where}.{property.Name}: not a property of the schema");
                    }
                }

                if (request && schema.TryGetProperty("required", out var required))
                {
                    problems.AddRange(required.EnumerateArray().Select(r => r.GetString()!)
                        .Where(r => !value.TryGetProperty(r, out _)).Select(r => $"{where}.{r}: required, missing"));
                }

                break;
            case "array":
                if (value.ValueKind != JsonValueKind.Array)
                {
                    problems.Add($"{where}: {value.ValueKind} where an array is expected");
                    return;
                }

                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Fits(item, schema.GetProperty("items"), schemas, request, $"{where}[{index++}]", problems);
                }

                break;
            case "string":
                if (value.ValueKind != JsonValueKind.String)
                {
                    problems.Add($"{where}: {value.ValueKind} where a string is expected");
                }
                else if (schema.TryGetProperty("enum", out var values) && !values.EnumerateArray().Any(v => v.GetString() == value.GetString()))
                {
                    problems.Add($"{where}: « {value.GetString()} » is not a value of the enum");
                }
                else if (schema.TryGetProperty("format", out var format) && format.GetString() == "date-time"
                    && !DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, out _))
                {
                    problems.Add($"{where}: « {value.GetString()} » is not a date-time");
                }

                break;
            case "integer" or "number":
                if (value.ValueKind != JsonValueKind.Number && !(value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), out _)))
                {
                    problems.Add($"{where}: {value.ValueKind} where a number is expected");
                }

                break;
            case "boolean":
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    problems.Add($"{where}: {value.ValueKind} where a boolean is expected");
                }

                break;
        }
    }

    private static bool IsReadOnly(JsonElement schema) => schema.TryGetProperty("readOnly", out var readOnly) && readOnly.GetBoolean();

    /// <summary>Follows <c>$ref</c> and a property's <c>allOf</c> wrapper to the schema itself.</summary>
    private static JsonElement Resolve(JsonElement schema, JsonElement schemas)
    {
        while (true)
        {
            if (schema.TryGetProperty("$ref", out var reference))
            {
                schema = schemas.GetProperty(reference.GetString()!["#/components/schemas/".Length..]);
            }
            else if (schema.TryGetProperty("allOf", out var allOf) && allOf.GetArrayLength() == 1)
            {
                schema = allOf[0];
            }
            else
            {
                return schema;
            }
        }
    }
}
