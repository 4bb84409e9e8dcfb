using Ent.Partnership.Conventions.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.Storage;
using Google.Protobuf;

namespace Ent.Partnership.Conventions.Storage;

/// <summary>A stored resource with the version its etag comes from.</summary>

/// <summary>
/// Conventions, their deliberations and their signatures in the service's document store. Children are keyed
/// <c>{convention-id}/{child-id}</c> and indexed by convention.
/// </summary>
public sealed class ConventionRepository(IDocumentStore store)
{
    public const string Conventions = "conventions";
    public const string Deliberations = "deliberations";
    public const string Signatures = "signatures";
    public const string Meetings = "meetings";
    public const string Amendments = "amendments";

    public IDocumentStore Store => store;

    public async Task<Stored<Convention>?> GetAsync(string id) =>
        await store.GetAsync(Conventions, id) is { } document ? ToConvention(document) : null;

    public async Task<(IReadOnlyList<Stored<Convention>> Conventions, string NextPageToken)> ListAsync(
        IReadOnlyList<IndexTerm> terms, int pageSize, string? pageToken, string filterText)
    {
        var page = await store.ListAsync(Conventions, terms, null, pageSize, pageToken, filterText);
        return (page.Documents.Select(ToConvention).ToList(), page.NextPageToken);
    }

    /// <summary>Every convention with the terms, in id order.</summary>
    public async Task<IReadOnlyList<Stored<Convention>>> ListAllAsync(IReadOnlyList<IndexTerm> terms) =>
        (await store.ListAllAsync(Conventions, terms)).Select(ToConvention).ToList();

    public void Put(WriteBatch batch, Convention convention, long expectedVersion)
    {
        var stored = convention.Clone();
        stored.Etag = "";
        var terms = convention.Signatories.Select(s => new IndexTerm("party", s.Party)).Distinct().ToList();
        terms.Add(new IndexTerm("state", ProtoEnum.Name(convention.State)));
        batch.Put(Conventions, IdOf(convention.Name), expectedVersion, stored.ToByteArray(), terms);
    }

    /// <summary>Every child (deliberation, signature, meeting, amendment) of <paramref name="parent"/>, oldest id first.</summary>
    public async Task<IReadOnlyList<Stored<T>>> AllChildrenAsync<T>(string collection, string parent, MessageParser<T> parser)
        where T : IMessage<T> =>
        (await store.ListAllAsync(collection, [new IndexTerm("parent", parent)])).Select(d => new Stored<T>(parser.ParseFrom(d.Data), d.Version)).ToList();

    /// <summary>A child by its full name (<c>conventions/{c}/amendments/{a}/signatures/{party-id}</c>).</summary>
    public async Task<Stored<T>?> GetChildAsync<T>(string collection, string name, MessageParser<T> parser)
        where T : IMessage<T> =>
        await store.GetAsync(collection, KeyOf(name)) is { } document
            ? new Stored<T>(parser.ParseFrom(document.Data), document.Version)
            : null;

    public async Task<(IReadOnlyList<T> Children, string NextPageToken)> ListChildrenAsync<T>(
        string collection, string parent, MessageParser<T> parser, int pageSize, string? pageToken)
        where T : IMessage<T>
    {
        var page = await store.ListAsync(collection, [new IndexTerm("parent", parent)], null, pageSize, pageToken, parent);
        return (page.Documents.Select(d => parser.ParseFrom(d.Data)).ToList(), page.NextPageToken);
    }

    /// <summary>Writes a child under its full name, indexed by its parent's name.</summary>
    public void PutChild<T>(WriteBatch batch, string collection, string name, T child, long expectedVersion)
        where T : IMessage<T> =>
        batch.Put(collection, KeyOf(name), expectedVersion, child.ToByteArray(), [new IndexTerm("parent", ParentOf(name))]);

    /// <summary>Writes an amendment, indexed by its convention and its state (the clock finds the SIGNED ones).</summary>
    public void PutAmendment(WriteBatch batch, Amendment amendment, long expectedVersion) =>
        batch.Put(Amendments, KeyOf(amendment.Name), expectedVersion, amendment.ToByteArray(),
            [new IndexTerm("parent", ParentOf(amendment.Name)), new IndexTerm("state", ProtoEnum.Name(amendment.State))]);

    /// <summary>Every amendment in a state, across conventions.</summary>
    public async Task<IReadOnlyList<Stored<Amendment>>> AmendmentsInAsync(Amendment.Types.State state)
    {
        var all = new List<Stored<Amendment>>();
        string? token = null;
        do
        {
            var page = await store.ListAsync(Amendments, [new IndexTerm("state", ProtoEnum.Name(state))], null, Paging.MaxPageSize, token, "state");
            all.AddRange(page.Documents.Select(d => new Stored<Amendment>(Amendment.Parser.ParseFrom(d.Data), d.Version)));
            token = page.NextPageToken.Length == 0 ? null : page.NextPageToken;
        }
        while (token is not null);
        return all;
    }

    public void DeleteChild(WriteBatch batch, string collection, string name, long expectedVersion) =>
        batch.Delete(collection, KeyOf(name), expectedVersion);

    /// <summary>The parent of a child's name: <c>conventions/c</c> for <c>conventions/c/signatures/s</c>.</summary>
    public static string ParentOf(string name) => name[..name.LastIndexOf('/', name.LastIndexOf('/') - 1)];

    private static string KeyOf(string name) => name["conventions/".Length..];

    public static string IdOf(string conventionName) => conventionName["conventions/".Length..];

    private static Stored<Convention> ToConvention(Document document)
    {
        var convention = Convention.Parser.ParseFrom(document.Data);
        convention.Etag = document.Etag;
        return new Stored<Convention>(convention, document.Version);
    }
}
