using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace Ent.Partnership.ServiceDefaults.Api;

/// <summary>One field an update changed, as a history shows it: scalars with their values, other fields by name only.</summary>
public sealed record FieldChange(string Field, string? Before, string? After);

public static class Changes
{
    /// <summary>Values longer than this are cut in a history.</summary>
    public const int MaxValueLength = 200;

    /// <summary>What a write keeps up to date by itself, never shown as a change.</summary>
    private static readonly HashSet<string> Bookkeeping = new(StringComparer.Ordinal)
    {
        "etag", "update_time", "create_time", "revision", "state_history",
    };

    /// <summary>The top-level fields whose values differ between two versions of a resource, in field order.</summary>
    public static IReadOnlyList<FieldChange> Between(IMessage before, IMessage after)
    {
        var changes = new List<FieldChange>();
        foreach (var field in after.Descriptor.Fields.InFieldNumberOrder())
        {
            if (Bookkeeping.Contains(field.Name))
            {
                continue;
            }

            var old = field.Accessor.GetValue(before);
            var now = field.Accessor.GetValue(after);
            if (!Equals(old, now))
            {
                changes.Add(IsScalar(field)
                    ? new FieldChange(field.JsonName, Show(field, old), Show(field, now))
                    : new FieldChange(field.JsonName, null, null));
            }
        }

        return changes;
    }

    private static bool IsScalar(FieldDescriptor field) =>
        !field.IsRepeated && !field.IsMap
        && (field.FieldType != FieldType.Message || field.MessageType.FullName == Timestamp.Descriptor.FullName);

    private static string? Show(FieldDescriptor field, object? value)
    {
        var text = value switch
        {
            null => null,
            Timestamp timestamp => timestamp.ToDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            IMessage message => JsonFormatter.Default.Format(message),
            System.Enum number => field.EnumType.FindValueByNumber(Convert.ToInt32(number, System.Globalization.CultureInfo.InvariantCulture))?.Name ?? number.ToString(),
            bool flag => flag ? "true" : "false",
            IFormattable number => number.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
        return text is { Length: > MaxValueLength } ? text[..MaxValueLength] + "…" : text;
    }
}
