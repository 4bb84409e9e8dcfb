using Dapr.Client;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ent.Partnership.Dapr;

/// <summary>Healthy when the Dapr sidecar says it is.</summary>
public sealed class DaprHealthCheck(DaprClient dapr) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await dapr.CheckHealthAsync(cancellationToken)
            ? HealthCheckResult.Healthy("the sidecar is healthy")
            : HealthCheckResult.Unhealthy("the sidecar does not answer, or is not healthy");
}
