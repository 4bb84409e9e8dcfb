using Ent.Partnership.Communications.V1;
using Ent.Partnership.Conventions.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.Storage;
using Google.Protobuf;

namespace Ent.Partnership.Communications.Storage;

/// <summary>A stored resource with the version its writes check.</summary>

/// <summary>
/// Messages, their deliveries, elections, and what the conventions' events taught the service (conventions
/// and their validated charters), in the service's document store.
/// </summary>
public sealed class CommunicationRepository(IDocumentStore store)
{
    public const string Communications = "communications";
    public const string Deliveries = "deliveries";
    public const string Elections = "elections";
    public const string Conventions = "conventions";
    public const string Charters = "charters";

    /// <summary>The index term of deliveries that wait for a push or a retraction.</summary>
    public static readonly IndexTerm Work = new("work", "1");

    public IDocumentStore Store => store;

    public Task<Stored<Communication>?> GetAsync(string id) => GetAsync(Communications, id, Communication.Parser);

    public async Task<(IReadOnlyList<Stored<Communication>> Communications, string NextPageToken)> ListAsync(
        IReadOnlyList<IndexTerm> terms, int pageSize, string? pageToken, string filterText)
    {
        var page = await store.ListAsync(Communications, terms, null, pageSize, pageToken, filterText);
        return (page.Documents.Select(d => new Stored<Communication>(Communication.Parser.ParseFrom(d.Data), d.Version)).ToList(), page.NextPageToken);
    }

    /// <summary>Every message with the terms, in id order.</summary>
    public Task<IReadOnlyList<Stored<Communication>>> ListAllAsync(IReadOnlyList<IndexTerm> terms) =>
        AllAsync(Communications, terms, Communication.Parser);

    public void Put(WriteBatch batch, Communication communication, long expectedVersion)
    {
        var terms = new List<IndexTerm>
        {
            new("issuer", communication.Issuer),
            new("state", ProtoEnum.Name(communication.State)),
            new("convention", communication.Convention),
        };
        terms.AddRange(communication.Reviewers.Select(r => new IndexTerm("reviewer", r)));
        batch.Put(Communications, IdOf(communication.Name), expectedVersion, communication.ToByteArray(), terms);
    }

    public Task<Stored<Delivery>?> GetDeliveryAsync(string name) => GetAsync(Deliveries, name["communications/".Length..], Delivery.Parser);

    public async Task<(IReadOnlyList<Delivery> Deliveries, string NextPageToken)> ListDeliveriesAsync(
        IReadOnlyList<IndexTerm> terms, int pageSize, string? pageToken, string filterText)
    {
        var page = await store.ListAsync(Deliveries, terms, null, pageSize, pageToken, filterText);
        return (page.Documents.Select(d => Delivery.Parser.ParseFrom(d.Data)).ToList(), page.NextPageToken);
    }

    /// <summary>Every delivery of a message.</summary>
    public Task<IReadOnlyList<Stored<Delivery>>> DeliveriesOfAsync(string communication) =>
        AllAsync(Deliveries, [new IndexTerm("parent", communication)], Delivery.Parser);

    /// <summary>Every delivery waiting for a push or a retraction.</summary>
    public Task<IReadOnlyList<Stored<Delivery>>> DeliveriesToWorkAsync() => AllAsync(Deliveries, [Work], Delivery.Parser);

    public void PutDelivery(WriteBatch batch, Delivery delivery, long expectedVersion)
    {
        var terms = new List<IndexTerm> { new("parent", ParentOf(delivery.Name)), new("state", ProtoEnum.Name(delivery.State)) };
        if (delivery.State == Delivery.Types.State.Pending || delivery.Retracting)
        {
            terms.Add(Work);
        }

        batch.Put(Deliveries, delivery.Name["communications/".Length..], expectedVersion, delivery.ToByteArray(), terms);
    }

    public Task<Stored<Election>?> GetElectionAsync(string id) => GetAsync(Elections, id, Election.Parser);

    public async Task<(IReadOnlyList<Stored<Election>> Elections, string NextPageToken)> ListElectionsAsync(
        IReadOnlyList<IndexTerm> terms, int pageSize, string? pageToken, string filterText)
    {
        var page = await store.ListAsync(Elections, terms, null, pageSize, pageToken, filterText);
        return (page.Documents.Select(d => new Stored<Election>(Election.Parser.ParseFrom(d.Data), d.Version)).ToList(), page.NextPageToken);
    }

    public async Task<IReadOnlyList<Election>> AllElectionsAsync() =>
        (await AllAsync(Elections, [], Election.Parser)).Select(e => e.Resource).ToList();

    public void PutElection(WriteBatch batch, Election election, long expectedVersion) =>
        batch.Put(Elections, election.Name["elections/".Length..], expectedVersion, election.ToByteArray(),
            [new IndexTerm("kind", ProtoEnum.Name(election.Kind))]);

    /// <summary>Every convention the conventions service's events told of, as their last event gave them.</summary>
    public async Task<IReadOnlyList<Convention>> ConventionsAsync() =>
        (await AllAsync(Conventions, [], Convention.Parser)).Select(c => c.Resource).ToList();

    /// <summary>Keeps a convention's latest content and state, unless a later revision is kept already.</summary>
    public async Task KeepConventionAsync(Convention convention)
    {
        var id = convention.Name["conventions/".Length..];
        var stored = await GetAsync(Conventions, id, Convention.Parser);
        if (stored is not null && stored.Resource.Revision > convention.Revision)
        {
            return;
        }

        var batch = store.NewBatch();
        batch.Put(Conventions, id, stored?.Version ?? 0, convention.ToByteArray(), []);
        await batch.CommitAsync();
    }

    /// <summary>Marks a kept convention as ended: no message can rely on it any more.</summary>
    public async Task EndConventionAsync(string name, Convention.Types.State state)
    {
        if (await GetAsync(Conventions, name["conventions/".Length..], Convention.Parser) is { } stored && stored.Resource.State != state)
        {
            var ended = stored.Resource.Clone();
            ended.State = state;
            var batch = store.NewBatch();
            batch.Put(Conventions, name["conventions/".Length..], stored.Version, ended.ToByteArray(), []);
            await batch.CommitAsync();
        }
    }

    /// <summary>The last charter validated for a convention, if any.</summary>
    public async Task<CharterValidated?> CharterOfAsync(string convention) =>
        (await GetAsync(Charters, convention["conventions/".Length..], CharterValidated.Parser))?.Resource;

    /// <summary>Keeps a validated charter per convention and revision, and as the convention's current one unless a later one is kept.</summary>
    public async Task KeepCharterAsync(CharterValidated validated)
    {
        var id = validated.Convention["conventions/".Length..];
        var stored = await GetAsync(Charters, id, CharterValidated.Parser);
        var batch = store.NewBatch();
        var revisionId = $"{id}@{validated.Revision}";
        var kept = await store.GetAsync(Charters, revisionId);
        batch.Put(Charters, revisionId, kept?.Version ?? 0, validated.ToByteArray(), []);
        if (stored is null || stored.Resource.Revision <= validated.Revision)
        {
            batch.Put(Charters, id, stored?.Version ?? 0, validated.ToByteArray(), []);
        }

        await batch.CommitAsync();
    }

    public static string IdOf(string name) => name["communications/".Length..];

    public static string ParentOf(string deliveryName) => deliveryName[..deliveryName.IndexOf("/deliveries/", StringComparison.Ordinal)];

    private async Task<Stored<T>?> GetAsync<T>(string collection, string id, MessageParser<T> parser)
        where T : IMessage<T> =>
        await store.GetAsync(collection, id) is { } document ? new Stored<T>(parser.ParseFrom(document.Data), document.Version) : null;

    private async Task<IReadOnlyList<Stored<T>>> AllAsync<T>(string collection, IReadOnlyList<IndexTerm> terms, MessageParser<T> parser)
        where T : IMessage<T> =>
        (await store.ListAllAsync(collection, terms)).Select(d => new Stored<T>(parser.ParseFrom(d.Data), d.Version)).ToList();
}
