using Ent.Partnership.ServiceDefaults.Errors;
using Google.Protobuf.WellKnownTypes;

namespace Ent.Partnership.ServiceDefaults.Api;

/// <summary>The fields a PATCH may change on a resource: how to copy each, and whether a patch gives it.</summary>
/// <param name="what">The resource in French, for the refusal: « de la réunion ».</param>
public sealed class Updatable<T>(string what)
{
    private readonly Dictionary<string, (Action<T, T> Copy, Func<T, bool> Given)> _fields = new(StringComparer.Ordinal);

    /// <summary>A field, by its proto path (<c>scheduled_at</c>).</summary>
    public Updatable<T> Field(string path, Action<T, T> copy, Func<T, bool> given)
    {
        _fields[path] = (copy, given);
        return this;
    }

    /// <summary>
    /// Copies onto <paramref name="target"/> the fields of the mask (JSON or proto names), or those the patch
    /// gives when the mask is empty; INVALID_ARGUMENT naming <c>updateMask</c> for a field that cannot change.
    /// </summary>
    public void Apply(T target, T patch, FieldMask? mask)
    {
        var paths = mask is { Paths.Count: > 0 }
            ? mask.Paths.Select(FieldPaths.ToSnakeCase).ToList()
            : _fields.Where(f => f.Value.Given(patch)).Select(f => f.Key).ToList();
        foreach (var path in paths)
        {
            if (!_fields.TryGetValue(path, out var field))
            {
                throw new InvalidArgumentException("updateMask", $"Le champ « {path} » {what} ne peut pas être modifié.");
            }

            field.Copy(target, patch);
        }
    }
}
