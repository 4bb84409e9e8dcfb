namespace Ent.Partnership.Communications.Publication;

/// <summary>Runs the publication passes: at once when nudged, else at every interval.</summary>
public sealed class Publisher(Publications publications, ILogger<Publisher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await publications.TickAsync(stoppingToken);
                await publications.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "Publication pass failed; the next one tries again");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }
}
