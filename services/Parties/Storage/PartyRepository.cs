using Ent.Partnership.Parties.Domain;
using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.Storage;
using Google.Protobuf;

namespace Ent.Partnership.Parties.Storage;

/// <summary>A party as stored, with the version its etag comes from.</summary>
public sealed record StoredParty(Party Party, long Version)
{
    public string Id => Party.Name[PartyRules.NamePrefix.Length..];
}

/// <summary>A membership as stored.</summary>
public sealed record StoredMembership(Membership Membership, long Version);

/// <summary>
/// Parties and memberships in the service's document store. A party is stored as protobuf bytes without its
/// output-only fields; its index terms serve the List filters.
/// </summary>
public sealed class PartyRepository(IDocumentStore store)
{
    public const string Parties = "parties";
    public const string Memberships = "memberships";
    public const string UaiUnique = "uai";

    public IDocumentStore Store => store;

    public async Task<StoredParty?> GetAsync(string id) =>
        await store.GetAsync(Parties, id) is { } document ? ToParty(document) : null;

    public async Task<IReadOnlyList<StoredParty>> GetManyAsync(IReadOnlyList<string> ids) =>
        (await store.GetManyAsync(Parties, ids)).Select(ToParty).ToList();

    /// <summary>A page of parties carrying every term, kept by <paramref name="keep"/>.</summary>
    public async Task<(IReadOnlyList<StoredParty> Parties, string NextPageToken)> ListAsync(
        IReadOnlyList<IndexTerm> terms, Func<Party, bool>? keep, int pageSize, string? pageToken, string filterText)
    {
        var page = await store.ListAsync(Parties, terms, keep is null ? null : d => keep(Party.Parser.ParseFrom(d.Data)), pageSize, pageToken, filterText);
        return (page.Documents.Select(ToParty).ToList(), page.NextPageToken);
    }

    /// <summary>Every party with the term, in id order.</summary>
    public async Task<IReadOnlyList<StoredParty>> ListAllAsync(IReadOnlyList<IndexTerm> terms) =>
        (await store.ListAllAsync(Parties, terms)).Select(ToParty).ToList();

    public void Put(WriteBatch batch, Party party, long expectedVersion)
    {
        var stored = party.Clone();
        stored.CompetentAuthority = "";
        stored.Etag = "";
        var id = party.Name[PartyRules.NamePrefix.Length..];
        batch.Put(Parties, id, expectedVersion, stored.ToByteArray(), IndexTerms(party));
        if (party.Uai.Length > 0)
        {
            batch.ClaimUnique(UaiUnique, party.Uai, id);
        }
    }

    public async Task<StoredMembership?> GetMembershipAsync(string groupId, string memberId) =>
        await store.GetAsync(Memberships, MembershipKey(groupId, memberId)) is { } document
            ? new StoredMembership(Membership.Parser.ParseFrom(document.Data), document.Version)
            : null;

    public async Task<(IReadOnlyList<Membership> Memberships, string NextPageToken)> ListMembershipsAsync(
        string groupId, int pageSize, string? pageToken)
    {
        var page = await store.ListAsync(Memberships, [new IndexTerm("group", groupId)], null, pageSize, pageToken, groupId);
        return (page.Documents.Select(WithEtag).ToList(), page.NextPageToken);
    }

    /// <summary>Every membership of a group, past and present.</summary>
    public async Task<IReadOnlyList<Membership>> AllMembershipsAsync(string groupId)
    {
        var all = new List<Membership>();
        string? token = null;
        do
        {
            var (memberships, next) = await ListMembershipsAsync(groupId, Paging.MaxPageSize, token);
            all.AddRange(memberships);
            token = next.Length == 0 ? null : next;
        }
        while (token is not null);
        return all;
    }

    public void PutMembership(WriteBatch batch, string groupId, string memberId, Membership membership, long expectedVersion)
    {
        var stored = membership.Clone();
        stored.Etag = "";
        batch.Put(Memberships, MembershipKey(groupId, memberId), expectedVersion, stored.ToByteArray(),
            [new IndexTerm("group", groupId), new IndexTerm("member", memberId)]);
    }

    private static Membership WithEtag(Document document)
    {
        var membership = Membership.Parser.ParseFrom(document.Data);
        membership.Etag = document.Etag;
        return membership;
    }

    private static string MembershipKey(string groupId, string memberId) => groupId + "/" + memberId;

    /// <summary>
    /// The List filters' index: a school is indexed under every authority of its history, and List keeps
    /// only those whose authority is the one asked for on the day.
    /// </summary>
    private static IEnumerable<IndexTerm> IndexTerms(Party party)
    {
        yield return new IndexTerm("kind", ProtoEnum.Name(party.Kind));
        if (party.Academy.Length > 0)
        {
            yield return new IndexTerm("academy", party.Academy);
        }

        if (party.Sector != Party.Types.Sector.Unspecified)
        {
            yield return new IndexTerm("sector", ProtoEnum.Name(party.Sector));
        }

        if (party.SchoolType != Party.Types.SchoolType.Unspecified)
        {
            yield return new IndexTerm("school_type", ProtoEnum.Name(party.SchoolType));
        }

        if (party.InseeCode.Length > 0)
        {
            yield return new IndexTerm("insee_code", party.InseeCode);
        }

        foreach (var authority in party.CompetenceHistory.Select(p => p.Authority).Distinct())
        {
            yield return new IndexTerm("authority", authority);
        }
    }

    private static StoredParty ToParty(Document document)
    {
        var party = Party.Parser.ParseFrom(document.Data);
        party.Etag = document.Etag;
        return new StoredParty(party, document.Version);
    }
}
