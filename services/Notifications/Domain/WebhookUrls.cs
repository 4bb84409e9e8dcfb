using System.Net;
using System.Net.Sockets;

namespace Ent.Partnership.Notifications.Domain;

/// <summary>
/// Where a webhook may point (SPEC section 12): https, or http to loopback where <c>allowLoopback</c> (Development);
/// no userinfo, no fragment, at most 2,048 characters; elsewhere no host that is or resolves to a loopback,
/// private, link-local, unspecified or multicast address, IPv4-mapped forms included.
/// </summary>
public static class WebhookUrls
{
    public const int MaxLength = 2048;

    /// <summary>Why the URL's shape is refused, or null with the URL parsed.</summary>
    public static string? ShapeRefusal(string url, bool allowLoopback, out Uri? uri)
    {
        uri = null;
        if (url.Length == 0)
        {
            return "L'adresse du webhook est obligatoire.";
        }

        if (url.Length > MaxLength)
        {
            return $"L'adresse dépasse {MaxLength} caractères.";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("https" or "http") || parsed.Host.Length == 0)
        {
            return "Une adresse absolue en https est attendue.";
        }

        if (parsed.UserInfo.Length > 0)
        {
            return "L'adresse ne doit pas contenir d'identifiants (userinfo).";
        }

        if (parsed.Fragment.Length > 0 || url.Contains('#', StringComparison.Ordinal))
        {
            return "L'adresse ne doit pas contenir de fragment (#).";
        }

        if (parsed.Scheme == "http" && !(allowLoopback && IsLoopbackHost(parsed)))
        {
            return allowLoopback
                ? "Une adresse en https est attendue (http seulement vers cette machine, en développement)."
                : "Une adresse en https est attendue.";
        }

        uri = parsed;
        return null;
    }

    /// <summary>Why a webhook may not be posted to <paramref name="address"/>, or null when it may.</summary>
    public static string? AddressRefusal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return "boucle locale";
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b switch
            {
                [0, _, _, _] => "adresse non spécifiée",
                [10, _, _, _] or [172, >= 16 and <= 31, _, _] or [192, 168, _, _] => "adresse privée",
                [100, >= 64 and <= 127, _, _] => "adresse partagée (100.64/10)",
                [169, 254, _, _] => "adresse lien-local",
                [>= 224 and <= 239, _, _, _] => "adresse multicast",
                [255, 255, 255, 255] => "adresse de diffusion",
                _ => null,
            };
        }

        if (address.Equals(IPAddress.IPv6Any))
        {
            return "adresse non spécifiée";
        }

        var bytes = address.GetAddressBytes();
        return address switch
        {
            { IsIPv6LinkLocal: true } => "adresse lien-local",
            { IsIPv6Multicast: true } => "adresse multicast",
            _ when (bytes[0] & 0xfe) == 0xfc => "adresse privée (fc00::/7)",
            { IsIPv6SiteLocal: true } => "adresse privée",
            _ => null,
        };
    }

    private static bool IsLoopbackHost(Uri uri) =>
        uri.IsLoopback || uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase);
}
