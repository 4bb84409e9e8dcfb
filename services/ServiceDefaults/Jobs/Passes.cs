using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ent.Partnership.ServiceDefaults.Jobs;

/// <summary>Work done in passes over what is due: a pass, then a wait for a nudge or the interval.</summary>
public interface IPasses
{
    /// <summary>One pass over what is due now.</summary>
    Task TickAsync(CancellationToken cancellationToken);

    /// <summary>Waits for a nudge or the interval, whichever comes first.</summary>
    Task WaitAsync(CancellationToken cancellationToken);
}

/// <summary>What a write that makes work due calls so that the next pass starts at once.</summary>
public sealed class Wakeup
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Nudge()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Nudged already.
            }
        }
    }

    public Task WaitAsync(TimeSpan interval, CancellationToken cancellationToken) => _wake.WaitAsync(interval, cancellationToken);
}

/// <summary>Runs <typeparamref name="T"/>'s passes until the host stops; a failed pass is logged and the next one tries again.</summary>
public sealed class PassRunner<T>(T passes, ILogger<PassRunner<T>> logger) : BackgroundService
    where T : IPasses
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await passes.TickAsync(stoppingToken);
                await passes.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "A pass of {Passes} failed; the next one tries again", typeof(T).Name);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }
}
