using Ent.Partnership.Storage;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Ent.Partnership.Redis;

/// <summary>
/// Tells <paramref name="watcher"/> of every write to <paramref name="stream"/> in this process: the writer
/// announces its events on the stream's channel, which every subscriber hears. Notices sent while the
/// connection was down are lost, so the subscription and every restored connection count as changes.
/// </summary>
public sealed class StreamWatch(IConnectionMultiplexer redis, string stream, IStreamWatcher watcher) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        redis.ConnectionRestored += OnRestored;
        try
        {
            while (!await TrySubscribeAsync())
            {
                await Task.Delay(RetryDelay, stoppingToken);
            }

            watcher.Changed();
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            redis.ConnectionRestored -= OnRestored;
        }
    }

    private async Task<bool> TrySubscribeAsync()
    {
        try
        {
            await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(stream), (_, _) => watcher.Changed());
            return true;
        }
        catch (RedisException)
        {
            return false;
        }
    }

    private void OnRestored(object? sender, ConnectionFailedEventArgs e) => watcher.Changed();
}
