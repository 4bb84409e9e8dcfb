using Microsoft.Extensions.Diagnostics.HealthChecks;
using Yarp.ReverseProxy.Configuration;

namespace Ent.Partnership.Gateway;

/// <summary>Healthy only when every service behind the gateway answers its own <c>/health</c>.</summary>
public sealed class ServicesHealthCheck(IProxyConfigProvider proxyConfig, IHttpClientFactory httpClients) : IHealthCheck
{
    public const string ClientName = "service-health";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var client = httpClients.CreateClient(ClientName);
        var destinations = proxyConfig.GetConfig().Clusters
            .SelectMany(c => (c.Destinations ?? new Dictionary<string, DestinationConfig>()).Select(d => (c.ClusterId, d.Value.Address)))
            .ToList();
        var results = await Task.WhenAll(destinations.Select(async d =>
        {
            try
            {
                using var response = await client.GetAsync(new Uri(new Uri(d.Address), "/health"), cancellationToken);
                return (d.ClusterId, Healthy: response.IsSuccessStatusCode);
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                return (d.ClusterId, Healthy: false);
            }
        }));
        var failing = results.Where(r => !r.Healthy).Select(r => r.ClusterId).Distinct().ToList();
        return failing.Count == 0
            ? HealthCheckResult.Healthy($"{results.Length} services answer")
            : HealthCheckResult.Unhealthy($"Not answering: {string.Join(", ", failing)}");
    }
}
