using Ent.Partnership.Storage;

namespace Ent.Partnership.Dapr;

/// <summary>A subscription's handler that only tells <typeparamref name="TWatcher"/> the stream has new events.</summary>
public sealed class WatchRelay<TWatcher>(TWatcher watcher) : IEventHandler
    where TWatcher : IStreamWatcher
{
    public Task HandleAsync(ReceivedEvent received, CancellationToken cancellationToken)
    {
        watcher.Changed();
        return Task.CompletedTask;
    }
}
