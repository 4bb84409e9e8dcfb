using Ent.Partnership.Conventions.V1;
using Ent.Partnership.Redis;
using Ent.Partnership.ServiceDefaults.Api;
using Google.Protobuf;

namespace Ent.Partnership.Conventions.Storage;

/// <summary>A stored resource with the version its etag comes from.</summary>
public sealed record Stored<T>(T Resource, long Version);

/// <summary>
/// Conventions, their deliberations and their signatures in the service's Redis store. Children are keyed
/// <c>{convention-id}/{child-id}</c> and indexed by convention.
/// </summary>
public sealed class ConventionRepository(DocumentStore store)
{
    public const string Conventions = "conventions";
    public const string Deliberations = "deliberations";
    public const string Signatures = "signatures";
    public const string Meetings = "meetings";

    public DocumentStore Store => store;

    public async Task<Stored<Convention>?> GetAsync(string id) =>
        await store.GetAsync(Conventions, id) is { } document ? ToConvention(document) : null;

    public async Task<(IReadOnlyList<Stored<Convention>> Conventions, string NextPageToken)> ListAsync(
        IReadOnlyList<IndexTerm> terms, int pageSize, string? pageToken, string filterText)
    {
        var page = await store.ListAsync(Conventions, terms, null, pageSize, pageToken, filterText);
        return (page.Documents.Select(ToConvention).ToList(), page.NextPageToken);
    }

    public void Put(WriteBatch batch, Convention convention, long expectedVersion)
    {
        var stored = convention.Clone();
        stored.Etag = "";
        var terms = convention.Signatories.Select(s => new IndexTerm("party", s.Party)).Distinct().ToList();
        terms.Add(new IndexTerm("state", ProtoEnum.Name(convention.State)));
        batch.Put(Conventions, IdOf(convention.Name), expectedVersion, stored.ToByteArray(), terms);
    }

    /// <summary>A convention with every deliberation and signature it has had.</summary>
    public async Task<(Stored<Convention> Convention, IReadOnlyList<Stored<Deliberation>> Deliberations, IReadOnlyList<Stored<Signature>> Signatures)?> LoadFileAsync(string id)
    {
        if (await GetAsync(id) is not { } convention)
        {
            return null;
        }

        var deliberations = await AllChildrenAsync(Deliberations, id, Deliberation.Parser);
        var signatures = await AllChildrenAsync(Signatures, id, Signature.Parser);
        return (convention, deliberations, signatures);
    }

    public async Task<Stored<T>?> GetChildAsync<T>(string collection, string conventionId, string childId, MessageParser<T> parser)
        where T : IMessage<T> =>
        await store.GetAsync(collection, conventionId + "/" + childId) is { } document
            ? new Stored<T>(parser.ParseFrom(document.Data), document.Version)
            : null;

    public async Task<(IReadOnlyList<T> Children, string NextPageToken)> ListChildrenAsync<T>(
        string collection, string conventionId, MessageParser<T> parser, int pageSize, string? pageToken)
        where T : IMessage<T>
    {
        var page = await store.ListAsync(collection, [new IndexTerm("convention", conventionId)], null, pageSize, pageToken, conventionId);
        return (page.Documents.Select(d => parser.ParseFrom(d.Data)).ToList(), page.NextPageToken);
    }

    /// <summary>Writes a deliberation or signature, whose name is <c>conventions/{c}/{collection}/{id}</c>.</summary>
    public void PutChild<T>(WriteBatch batch, string collection, string name, T child, long expectedVersion)
        where T : IMessage<T>
    {
        var parts = name.Split('/');
        batch.Put(collection, parts[1] + "/" + parts[3], expectedVersion, child.ToByteArray(), [new IndexTerm("convention", parts[1])]);
    }

    public void DeleteChild(WriteBatch batch, string collection, string name, long expectedVersion)
    {
        var parts = name.Split('/');
        batch.Delete(collection, parts[1] + "/" + parts[3], expectedVersion);
    }

    private async Task<IReadOnlyList<Stored<T>>> AllChildrenAsync<T>(string collection, string conventionId, MessageParser<T> parser)
        where T : IMessage<T>
    {
        var all = new List<Stored<T>>();
        string? token = null;
        do
        {
            var page = await store.ListAsync(collection, [new IndexTerm("convention", conventionId)], null, 500, token, conventionId);
            all.AddRange(page.Documents.Select(d => new Stored<T>(parser.ParseFrom(d.Data), d.Version)));
            token = page.NextPageToken.Length == 0 ? null : page.NextPageToken;
        }
        while (token is not null);
        return all;
    }

    public static string IdOf(string conventionName) => conventionName["conventions/".Length..];

    private static Stored<Convention> ToConvention(Document document)
    {
        var convention = Convention.Parser.ParseFrom(document.Data);
        convention.Etag = document.Etag;
        return new Stored<Convention>(convention, document.Version);
    }
}
