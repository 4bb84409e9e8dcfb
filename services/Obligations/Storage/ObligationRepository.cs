using Ent.Partnership.Obligations.Domain;
using Ent.Partnership.Obligations.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.Storage;
using Google.Protobuf;

namespace Ent.Partnership.Obligations.Storage;

/// <summary>A stored obligation with the version its writes check.</summary>
public sealed record StoredObligation(Obligation Obligation, long Version);

/// <summary>Obligations in the service's store, indexed for the List filters, with the claims of their identities.</summary>
public sealed class ObligationRepository(IDocumentStore store)
{
    public const string Obligations = "obligations";
    public const string Evidence = "evidence";
    public const string Tickets = "tickets";
    public const string Conventions = "conventions";

    /// <summary>One document per obligation identity naming its live obligation: the claim that keeps it one.</summary>
    public const string Identities = "identities";

    /// <summary>The register's migration steps done, one document each.</summary>
    public const string Migrations = "migrations";

    public IDocumentStore Store => store;

    public async Task<StoredObligation?> GetAsync(string id) =>
        await store.GetAsync(Obligations, id) is { } document ? new StoredObligation(Obligation.Parser.ParseFrom(document.Data), document.Version) : null;

    public async Task<IReadOnlyList<StoredObligation>> GetManyAsync(IReadOnlyList<string> ids) =>
        (await store.GetManyAsync(Obligations, ids)).Select(d => new StoredObligation(Obligation.Parser.ParseFrom(d.Data), d.Version)).ToList();

    public async Task<(IReadOnlyList<Obligation> Obligations, string NextPageToken)> ListAsync(
        IReadOnlyList<IndexTerm> terms, Func<Obligation, bool>? keep, int pageSize, string? pageToken, string filterText)
    {
        var page = await store.ListAsync(Obligations, terms, keep is null ? null : d => keep(Obligation.Parser.ParseFrom(d.Data)), pageSize, pageToken, filterText);
        return (page.Documents.Select(d => Obligation.Parser.ParseFrom(d.Data)).ToList(), page.NextPageToken);
    }

    /// <summary>Every obligation with the terms, in id order.</summary>
    public async Task<IReadOnlyList<StoredObligation>> ListAllAsync(IReadOnlyList<IndexTerm> terms) =>
        (await store.ListAllAsync(Obligations, terms)).Select(d => new StoredObligation(Obligation.Parser.ParseFrom(d.Data), d.Version)).ToList();

    /// <summary>The version of each identity's claim held in the store, by identity id.</summary>
    public async Task<IReadOnlyDictionary<string, long>> ClaimsAsync(IEnumerable<ObligationIdentity> identities) =>
        (await store.GetManyAsync(Identities, identities.Select(i => i.Id).Distinct().ToList())).ToDictionary(d => d.Id, d => d.Version);

    /// <summary>
    /// Makes <paramref name="obligation"/> the live one of its identity: refused, with the whole batch, when
    /// another write claimed the identity since its claim was read at <paramref name="expectedVersion"/> (0: none).
    /// </summary>
    public void Claim(WriteBatch batch, Obligation obligation, long expectedVersion) =>
        batch.Put(Identities, ObligationIdentity.Of(obligation).Id, expectedVersion, System.Text.Encoding.UTF8.GetBytes(obligation.Name), []);

    public void Put(WriteBatch batch, Obligation obligation, long expectedVersion) =>
        batch.Put(Obligations, IdOf(obligation.Name), expectedVersion, obligation.ToByteArray(),
        [
            new IndexTerm("convention", obligation.Convention),
            new IndexTerm("obligor", obligation.Obligor),
            new IndexTerm("kind", ProtoEnum.Name(obligation.Kind)),
            new IndexTerm("status", ProtoEnum.Name(obligation.Status)),
            new IndexTerm("period_start", obligation.Period.StartDate),
        ]);

    /// <summary>Every piece of evidence of an obligation.</summary>
    public async Task<IReadOnlyList<Evidence>> AllEvidenceAsync(string obligation) =>
        (await store.ListAllAsync(Evidence, [new IndexTerm("parent", obligation)])).Select(d => V1.Evidence.Parser.ParseFrom(d.Data)).ToList();

    public async Task<Evidence?> GetEvidenceAsync(string name) =>
        await store.GetAsync(Evidence, name["obligations/".Length..]) is { } document ? V1.Evidence.Parser.ParseFrom(document.Data) : null;

    public async Task<(IReadOnlyList<Evidence> Evidence, string NextPageToken)> ListEvidenceAsync(string obligation, int pageSize, string? pageToken)
    {
        var page = await store.ListAsync(Evidence, [new IndexTerm("parent", obligation)], null, pageSize, pageToken, obligation);
        return (page.Documents.Select(d => V1.Evidence.Parser.ParseFrom(d.Data)).ToList(), page.NextPageToken);
    }

    public void PutEvidence(WriteBatch batch, Evidence evidence)
    {
        var parent = evidence.Name[..evidence.Name.IndexOf("/evidence/", StringComparison.Ordinal)];
        batch.Put(Evidence, evidence.Name["obligations/".Length..], 0, evidence.ToByteArray(), [new IndexTerm("parent", parent)]);
    }

    public async Task<(Ticket Ticket, long Version)?> GetTicketAsync(string id) =>
        await store.GetAsync(Tickets, id) is { } document ? (Ticket.Parser.ParseFrom(document.Data), document.Version) : null;

    public async Task<(IReadOnlyList<Ticket> Tickets, string NextPageToken)> ListTicketsAsync(
        IReadOnlyList<IndexTerm> terms, Func<Ticket, bool>? keep, int pageSize, string? pageToken, string filterText)
    {
        var page = await store.ListAsync(Tickets, terms, keep is null ? null : d => keep(Ticket.Parser.ParseFrom(d.Data)), pageSize, pageToken, filterText);
        return (page.Documents.Select(d => Ticket.Parser.ParseFrom(d.Data)).ToList(), page.NextPageToken);
    }

    /// <summary>Every ticket of an obligation, with its version.</summary>
    public async Task<IReadOnlyList<(Ticket Ticket, long Version)>> TicketsOfAsync(string obligation) =>
        (await store.ListAllAsync(Tickets, [new IndexTerm("obligation", obligation)])).Select(d => (Ticket.Parser.ParseFrom(d.Data), d.Version)).ToList();

    public void PutTicket(WriteBatch batch, Ticket ticket, long expectedVersion) =>
        batch.Put(Tickets, ticket.Name["tickets/".Length..], expectedVersion, ticket.ToByteArray(),
        [
            new IndexTerm("obligation", ticket.Obligation),
            new IndexTerm("school", ticket.School),
            new IndexTerm("state", ProtoEnum.Name(ticket.State)),
        ]);

    /// <summary>Every convention in force, as its last event gave it: what the clock plans new periods from.</summary>
    public async Task<IReadOnlyList<Ent.Partnership.Conventions.V1.Convention>> ConventionsInForceAsync() =>
        (await store.ListAllAsync(Conventions, [])).Select(d => Ent.Partnership.Conventions.V1.Convention.Parser.ParseFrom(d.Data)).ToList();

    /// <summary>
    /// Keeps the convention's latest content (or forgets it when it ends), unless a later revision is kept
    /// already; with <paramref name="onlyIfKept"/>, only a convention kept already (in force) is updated.
    /// </summary>
    public async Task KeepConventionAsync(Ent.Partnership.Conventions.V1.Convention convention, bool inForce, bool onlyIfKept = false)
    {
        var id = convention.Name["conventions/".Length..];
        var stored = await store.GetAsync(Conventions, id);
        if (stored is not null && Ent.Partnership.Conventions.V1.Convention.Parser.ParseFrom(stored.Data).Revision > convention.Revision
            || stored is null && onlyIfKept)
        {
            return;
        }

        var batch = store.NewBatch();
        if (inForce)
        {
            batch.Put(Conventions, id, stored?.Version ?? 0, convention.ToByteArray(), []);
        }
        else if (stored is not null)
        {
            batch.Delete(Conventions, id, stored.Version);
        }
        else
        {
            return;
        }

        await batch.CommitAsync();
    }

    public static string IdOf(string name) => name["obligations/".Length..];
}
