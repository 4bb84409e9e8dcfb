namespace Ent.Partnership.Storage;

/// <summary>Handles the events of another service's stream. Must be idempotent in effect: delivery is at least once.</summary>
public interface IEventHandler
{
    Task HandleAsync(ReceivedEvent received, CancellationToken cancellationToken);
}
