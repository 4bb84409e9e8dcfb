namespace Ent.Partnership.Storage;

/// <summary>
/// Told that another service's stream has new events, for what a process keeps in memory of that service.
/// Best effort: a notice can be lost (a connection drops) or late, so what is kept must also age out.
/// </summary>
public interface IStreamWatcher
{
    void Changed();
}
