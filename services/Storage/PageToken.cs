using System.Security.Cryptography;
using System.Text;
using Ent.Partnership.ServiceDefaults.Errors;

namespace Ent.Partnership.Storage;

/// <summary>
/// Opaque page tokens: the last id of the page and a fingerprint of the filter, so that a token is refused
/// with another filter instead of silently skipping or repeating items.
/// </summary>
public static class PageToken
{
    public static string Encode(string lastId, string filter) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"1|{Fingerprint(filter)}|{lastId}"))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The last id of the previous page, or null for the first page.</summary>
    public static string? Decode(string? token, string filter)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(base64)).Split('|', 3);
            if (parts is ["1", var fingerprint, var lastId] && fingerprint == Fingerprint(filter))
            {
                return lastId;
            }
        }
        catch (FormatException)
        {
        }

        throw new InvalidArgumentException("pageToken", "Jeton de page invalide, ou obtenu avec un autre filtre.");
    }

    private static string Fingerprint(string filter) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(filter)))[..12];
}
