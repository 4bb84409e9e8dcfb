using System.Globalization;
using Dapr;
using Dapr.Client;
using Ent.Partnership.Storage;
using Microsoft.Extensions.Logging;

namespace Ent.Partnership.Dapr;

/// <summary>
/// The lease as a Dapr state item written with first-write concurrency (refused while another replica holds
/// it) and a time-to-live; given back by deleting it with its ETag.
/// </summary>
public sealed class DaprOneAtATime(DaprClient dapr, DaprStoreOptions options, ILogger<DaprOneAtATime> logger) : IOneAtATime
{
    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    public async Task RunAsync(string name, Func<Task> step, CancellationToken cancellationToken)
    {
        var key = $"{options.Prefix}:one-at-a-time:{name}";
        var holder = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";
        while (!await TryTakeAsync(key, holder, cancellationToken))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }

        try
        {
            await step();
        }
        finally
        {
            await ReleaseAsync(key, holder);
        }
    }

    /// <summary>Deletes the lease if this replica still holds it; a sidecar not answering leaves it to its time-to-live.</summary>
    private async Task ReleaseAsync(string key, string holder)
    {
        try
        {
            var (held, etag) = await dapr.GetStateAndETagAsync<string>(options.StoreName, key);
            if (held == holder)
            {
                await dapr.TryDeleteStateAsync(options.StoreName, key, etag, FirstWrite);
            }
        }
        catch (DaprException exception)
        {
            logger.LogWarning(exception, "{Key} could not be given back; it ends with its time-to-live", key);
        }
    }

    private async Task<bool> TryTakeAsync(string key, string holder, CancellationToken cancellationToken)
    {
        try
        {
            if (await dapr.GetStateAsync<string>(options.StoreName, key, cancellationToken: cancellationToken) is not null)
            {
                return false;
            }

            var lifetime = ((long)IOneAtATime.Lease.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            await dapr.SaveStateAsync(options.StoreName, key, holder, FirstWrite, new Dictionary<string, string> { ["ttlInSeconds"] = lifetime }, cancellationToken);
            return true;
        }
        catch (DaprException exception)
        {
            // First-write refuses the lease while another replica holds it; a sidecar not answering yet is waited for too.
            logger.LogDebug(exception, "{Key} is held by another replica, or the sidecar does not answer yet", key);
            return false;
        }
    }
}
