using System.Collections.Concurrent;
using System.Reflection;
using Ent.Partnership.ServiceDefaults.Errors;
using Google.Protobuf.Reflection;

namespace Ent.Partnership.ServiceDefaults.Api;

/// <summary>Enum values by their proto names (<c>SCHOOL</c>), the names clients read and write.</summary>
public static class ProtoEnum
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyDictionary<string, object>> ByName = new();

    public static string Name<T>(T value) where T : struct, Enum =>
        typeof(T).GetField(value.ToString())?.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? value.ToString();

    /// <summary>The value named <paramref name="name"/>; INVALID_ARGUMENT on <paramref name="field"/> when there is none, or for the unspecified value.</summary>
    public static T Parse<T>(string name, string field) where T : struct, Enum
    {
        var values = ByName.GetOrAdd(typeof(T), type => Enum.GetValues<T>()
            .Where(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture) != 0)
            .ToDictionary(v => Name(v), v => (object)v, StringComparer.Ordinal));
        return values.TryGetValue(name, out var value)
            ? (T)value
            : throw new InvalidArgumentException(field, $"Valeur inconnue « {name} » ; valeurs possibles : {string.Join(", ", values.Keys)}.");
    }
}
