using System.Net;
using System.Net.Sockets;
using Ent.Partnership.Notifications.Domain;

namespace Ent.Partnership.Notifications.Dispatch;

/// <summary>Names to addresses: DNS, or what a test makes them resolve to.</summary>
public interface IHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

public sealed class DnsHostResolver : IHostResolver
{
    public async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
}

/// <summary>Where webhooks may point here: <c>Webhooks:AllowLoopback</c> (Development) lets http reach this machine.</summary>
public sealed record WebhookRules(bool AllowLoopback);

/// <summary>
/// The address rules applied to a host: at registration, and at each connection, where the address checked is
/// the one connected to (no second resolution an attacker's DNS could answer differently).
/// </summary>
public sealed class WebhookAddresses(IHostResolver resolver, WebhookRules rules)
{
    public WebhookRules Rules => rules;

    /// <summary>The host's addresses when every one may be posted to; else why not.</summary>
    public async Task<(IPAddress[] Addresses, string? Refusal)> CheckAsync(string host, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = await resolver.ResolveAsync(host, cancellationToken);
        }
        catch (Exception exception) when (exception is SocketException or ArgumentException)
        {
            // ArgumentException: a name DNS cannot take (a label over 63 characters, a name over 255).
            return ([], $"Le nom « {host} » ne se résout pas.");
        }

        if (addresses.Length == 0)
        {
            return ([], $"Le nom « {host} » ne se résout pas.");
        }

        if (rules.AllowLoopback)
        {
            return (addresses, null);
        }

        foreach (var address in addresses)
        {
            if (WebhookUrls.AddressRefusal(address) is { } refusal)
            {
                return (addresses, $"« {host} » mène à {address} ({refusal}) : refusé.");
            }
        }

        return (addresses, null);
    }
}
