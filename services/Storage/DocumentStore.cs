namespace Ent.Partnership.Storage;

/// <summary>
/// One service's documents: versioned writes committed with their index terms, unique claims, events and
/// request id in one atomic step (<see cref="WriteBatch"/>), reads by id, by unique value and by index
/// term. Two adapters: Redis (<c>Ent.Partnership.Redis</c>, the default) and the Dapr state store with its
/// transactional outbox (<c>Ent.Partnership.Dapr</c>).
/// </summary>
public interface IDocumentStore
{
    WriteBatch NewBatch();

    Task<Document?> GetAsync(string collection, string id);

    /// <summary>The documents that exist among <paramref name="ids"/>, in their order.</summary>
    Task<IReadOnlyList<Document>> GetManyAsync(string collection, IReadOnlyList<string> ids);

    /// <summary>The id that holds a unique value (a school's UAI), if any.</summary>
    Task<string?> FindUniqueAsync(string name, string value);

    /// <summary>The resource a request id created, if that request was already carried out.</summary>
    Task<string?> FindRequestAsync(string scope, string requestId);

    /// <summary>
    /// A page of the documents having every term, in id order, after the page token's id, kept by
    /// <paramref name="keep"/>; the token is refused with another <paramref name="filterText"/>.
    /// </summary>
    Task<Page> ListAsync(string collection, IReadOnlyList<IndexTerm> terms, Func<Document, bool>? keep, int pageSize, string? pageToken, string filterText);

    /// <exception cref="Ent.Partnership.ServiceDefaults.Errors.ConcurrencyConflictException">a document changed since it was read.</exception>
    /// <exception cref="Ent.Partnership.ServiceDefaults.Errors.AlreadyExistsException">a unique value is held by another document.</exception>
    /// <exception cref="DuplicateRequestException">the request id was used already.</exception>
    Task<CommitResult> CommitAsync(WriteBatch batch);
}

/// <summary>What reading every page of a List comes to, for the stores' callers.</summary>
public static class DocumentStoreExtensions
{
    /// <summary>Every document of the collection having every term, in id order, read 500 at a time.</summary>
    public static async Task<IReadOnlyList<Document>> ListAllAsync(this IDocumentStore store, string collection, IReadOnlyList<IndexTerm> terms)
    {
        var all = new List<Document>();
        string? token = null;
        do
        {
            var page = await store.ListAsync(collection, terms, null, 500, token, "all");
            all.AddRange(page.Documents);
            token = page.NextPageToken.Length == 0 ? null : page.NextPageToken;
        }
        while (token is not null);
        return all;
    }
}

/// <summary>A resource as stored, with the version its next write must name.</summary>
public sealed record Stored<T>(T Resource, long Version);

/// <summary>A stored document: its id, its version (1 after the first write) and its bytes.</summary>
public sealed record Document(string Id, long Version, byte[] Data)
{
    /// <summary>The etag clients see, derived from the version.</summary>
    public string Etag => EtagOf(Version);

    public static string EtagOf(long version) => "v" + version.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>One page of a List.</summary>
public sealed record Page(IReadOnlyList<Document> Documents, string NextPageToken);

/// <summary>An index entry: documents whose <paramref name="Field"/> equals <paramref name="Value"/>.</summary>
public sealed record IndexTerm(string Field, string Value)
{
    public override string ToString() => Field + "=" + Value;
}

/// <summary>The outcome of a commit: the new version of each document written, in the order they were added.</summary>
public sealed record CommitResult(IReadOnlyList<long> Versions);

/// <summary>The write's request id had been used already; <see cref="ExistingResource"/> is what it created.</summary>
public sealed class DuplicateRequestException(string existingResource)
    : Exception($"The request was carried out already and created {existingResource}.")
{
    public string ExistingResource { get; } = existingResource;
}
