using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Ent.Partnership.Notifications.Domain;

namespace Ent.Partnership.Notifications.Dispatch;

/// <summary>The address of a connection is one the rules refuse: the post is given up, never retried as it is.</summary>
public sealed class RefusedAddressException(string message) : Exception(message);

/// <summary>
/// Posts an event to a webhook, signed per Standard Webhooks; the connection goes to an address checked
/// against the rules (<see cref="ConnectAsync"/>), redirects are never followed, a post lasts at most
/// <see cref="DispatchOptions.Timeout"/>.
/// </summary>
public sealed class WebhookSender(HttpClient http, DispatchOptions options, TimeProvider time)
{
    public async Task<PostOutcome> PostAsync(string url, string secret, string eventId, string json, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("webhook-id", eventId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Sign(secret, eventId, timestamp, body));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return PostOutcome.Answered(response.StatusCode, RetryAfter(response.Headers.RetryAfter));
        }
        catch (HttpRequestException exception) when (exception.InnerException is RefusedAddressException refused)
        {
            return PostOutcome.Refused(refused.Message);
        }
        catch (HttpRequestException exception)
        {
            return PostOutcome.Unreachable("Connexion impossible : " + exception.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return PostOutcome.Unreachable($"Pas de réponse en {options.Timeout.TotalSeconds:0} s.");
        }
    }

    /// <summary>The handler of the sender's client: no redirects, no proxy, connections only to checked addresses.</summary>
    public static SocketsHttpHandler Handler(WebhookAddresses addresses) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        ConnectCallback = (context, cancellationToken) => ConnectAsync(addresses, context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken),
    };

    /// <summary>Resolves the host once, checks its addresses and connects to one of them: what was checked is what is reached.</summary>
    public static async ValueTask<Stream> ConnectAsync(WebhookAddresses addresses, string host, int port, CancellationToken cancellationToken)
    {
        var (resolved, refusal) = await addresses.CheckAsync(host, cancellationToken);
        if (refusal is not null)
        {
            throw new RefusedAddressException(refusal);
        }

        SocketException? last = null;
        foreach (var address in resolved)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address, port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException exception)
            {
                socket.Dispose();
                last = exception;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    private static TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow,
        _ => null,
    };
}
