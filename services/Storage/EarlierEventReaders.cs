using Ent.Partnership.ServiceDefaults.Identity;

namespace Ent.Partnership.Storage;

/// <summary>
/// Who may read the subject of an event written before events carried their readers, as the producing
/// service's read rule says from the event's data. Everyone, unless the service says otherwise.
/// </summary>
public sealed record EarlierEventReaders(Func<ReceivedEvent, Readers> Of);
