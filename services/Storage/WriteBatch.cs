using Ent.Partnership.ServiceDefaults.Errors;

namespace Ent.Partnership.Storage;

/// <summary>
/// What one write changes: documents (each with the version it was read at, 0 for a new one), unique
/// claims, the events the write causes and the request id that makes it idempotent. Committed by its
/// store in one atomic step, or not at all.
/// </summary>
public sealed class WriteBatch(IDocumentStore store)
{
    /// <summary>How long a request id is remembered for idempotent retries.</summary>
    public static readonly TimeSpan RequestIdLifetime = TimeSpan.FromHours(24);

    private readonly List<DocumentWrite> _documents = [];
    private readonly List<UniqueClaim> _uniques = [];
    private readonly List<OutgoingEvent> _events = [];
    private readonly List<DocumentWrite> _history = [];

    /// <summary>How many documents the batch writes, not counting its events' history.</summary>
    public int Count => _documents.Count;

    /// <summary>The documents written, then (once committing) the history of each event.</summary>
    public IReadOnlyList<DocumentWrite> Documents => _history.Count == 0 ? _documents : [.. _documents, .. _history];

    public IReadOnlyList<UniqueClaim> Uniques => _uniques;

    public IReadOnlyList<OutgoingEvent> Events => _events;

    public RequestRecord? Request { get; private set; }

    /// <summary>
    /// Writes a document, refusing the whole batch unless its stored version is <paramref name="expectedVersion"/>.
    /// An unlisted document is found by its terms only, never in the whole collection's list: so the many
    /// documents of a history do not all share one index.
    /// </summary>
    public WriteBatch Put(string collection, string id, long expectedVersion, byte[] data, IEnumerable<IndexTerm> terms, bool listed = true)
    {
        var list = terms.Select(t => t.ToString()).ToList();
        if (list.Any(term => term.Contains('\n', StringComparison.Ordinal)))
        {
            throw new ArgumentException("Index terms cannot hold new lines.", nameof(terms));
        }

        _documents.Add(new DocumentWrite(collection, id, expectedVersion, data, list) { Listed = listed });
        return this;
    }

    /// <summary>Deletes a document read at <paramref name="expectedVersion"/>, with its index entries.</summary>
    public WriteBatch Delete(string collection, string id, long expectedVersion)
    {
        _documents.Add(new DocumentWrite(collection, id, expectedVersion, null, []));
        return this;
    }

    /// <summary>Claims a unique value for <paramref name="owner"/>; refused if another owner holds it.</summary>
    public WriteBatch ClaimUnique(string name, string value, string owner)
    {
        _uniques.Add(new UniqueClaim(name, value, owner));
        return this;
    }

    /// <summary>Publishes an event, in the same step as the writes.</summary>
    public WriteBatch Publish(OutgoingEvent outgoing)
    {
        _events.Add(outgoing);
        return this;
    }

    /// <summary>
    /// Remembers that this request id created <paramref name="resource"/>; a concurrent twin is refused. A
    /// request without an id remembers nothing.
    /// </summary>
    public WriteBatch ForRequest(string scope, string requestId, string resource)
    {
        Request = requestId.Length > 0 ? new RequestRecord(scope, requestId, resource) : null;
        return this;
    }

    /// <summary>
    /// Commits the batch (see <see cref="IDocumentStore.CommitAsync"/>), each event kept in its subject's
    /// history in the same step; those documents come after the batch's own, so the result's versions keep
    /// their order and the result names only the batch's own.
    /// </summary>
    public async Task<CommitResult> CommitAsync()
    {
        if (_history.Count < _events.Count)
        {
            _history.Clear();
            _history.AddRange(_events.Select((outgoing, i) => new DocumentWrite(EventHistory.Collection, EventHistory.IdOf(outgoing, i), 0,
                EventHistory.Serialize(outgoing), EventHistory.Terms(outgoing.Subject).Select(t => t.ToString()).ToList()) { Listed = false }));
        }

        var result = await store.CommitAsync(this);
        return result.Versions.Count == Count ? result : new CommitResult(result.Versions.Take(Count).ToList());
    }
}

/// <summary>A document written (or deleted, when <see cref="Data"/> is null) if its stored version is <see cref="ExpectedVersion"/>.</summary>
public sealed record DocumentWrite(string Collection, string Id, long ExpectedVersion, byte[]? Data, IReadOnlyList<string> Terms)
{
    /// <summary>Whether the collection's whole list holds it (a List without terms finds it).</summary>
    public bool Listed { get; init; } = true;

    public ConcurrencyConflictException Conflict() => new(Collection + "/" + Id);
}

/// <summary>A unique value claimed for its owner.</summary>
public sealed record UniqueClaim(string Name, string Value, string Owner)
{
    public AlreadyExistsException HeldBy(string holder) => new(holder, $"« {Value} » ({Name}) appartient déjà à {holder}.");
}

/// <summary>The request id a write carries out, and what it created.</summary>
public sealed record RequestRecord(string Scope, string RequestId, string Resource);
