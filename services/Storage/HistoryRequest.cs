namespace Ent.Partnership.Storage;

/// <summary>
/// A request for a page of a resource's history. Each history method has its own request message (one per
/// method, as buf lint and AIP-136 want); each service declares that its messages implement this.
/// </summary>
public interface IHistoryRequest
{
    /// <summary>The resource.</summary>
    string Name { get; }

    int PageSize { get; }

    string PageToken { get; }
}
