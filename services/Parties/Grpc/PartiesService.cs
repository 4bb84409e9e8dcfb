using Ent.Partnership.Parties.Application;
using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Identity;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace Ent.Partnership.Parties.Grpc;

/// <summary>The Parties gRPC service (and, through transcoding, its REST API): maps requests to the catalog.</summary>
public sealed class PartiesService(PartyCatalog catalog, SchoolImporter importer) : V1.Parties.PartiesBase
{
    /// <summary>Writes are for admins; the check runs before any input is read.</summary>
    private const string Admins = RoleNames.Admin;

    [Authorize(Roles = Admins)]
    public override Task<Party> CreateParty(CreatePartyRequest request, ServerCallContext context) =>
        catalog.CreateAsync(context.GetCaller(), request.Party, request.PartyId, request.RequestId);

    [ServiceCallers("conventions", "obligations", "communications")]
    public override Task<Party> GetParty(GetPartyRequest request, ServerCallContext context) =>
        catalog.GetAsync(request.Name);

    public override Task<Common.V1.History> GetPartyHistory(GetPartyHistoryRequest request, ServerCallContext context) =>
        catalog.HistoryAsync(context.GetCaller(), request);

    [ServiceCallers("conventions", "obligations", "communications")]
    public override async Task<ListPartiesResponse> ListParties(ListPartiesRequest request, ServerCallContext context)
    {
        var (parties, next) = await catalog.ListAsync(request.Filter, request.PageSize, request.PageToken);
        return new ListPartiesResponse { Parties = { parties }, NextPageToken = next };
    }

    [Authorize(Roles = Admins)]
    public override Task<Party> UpdateParty(UpdatePartyRequest request, ServerCallContext context) =>
        catalog.UpdateAsync(context.GetCaller(), request.Party, request.UpdateMask);

    [Authorize(Roles = Admins)]
    public override Task<Party> SucceedParty(SucceedPartyRequest request, ServerCallContext context) =>
        catalog.SucceedAsync(context.GetCaller(), request.Name, request.Successor, request.EffectiveDate);

    [ServiceCallers("conventions", "obligations", "communications")]
    public override Task<Competence> ResolveCompetence(ResolveCompetenceRequest request, ServerCallContext context) =>
        catalog.ResolveCompetenceAsync(request.Name, request.Date);

    [ServiceCallers("conventions", "obligations", "communications")]
    public override Task<Succession> ResolveSuccession(ResolveSuccessionRequest request, ServerCallContext context) =>
        catalog.ResolveSuccessionAsync(request.Name, request.Date);

    [ServiceCallers("conventions", "obligations", "communications")]
    public override async Task<ListSchoolsUnderCompetenceResponse> ListSchoolsUnderCompetence(
        ListSchoolsUnderCompetenceRequest request, ServerCallContext context)
    {
        var (schools, next) = await catalog.SchoolsUnderCompetenceAsync(
            request.Authority, request.StartDate, request.EndDate, request.PageSize, request.PageToken);
        return new() { Schools = { schools }, NextPageToken = next };
    }

    [Authorize(Roles = Admins)]
    public override Task<ImportSchoolsResponse> ImportSchools(ImportSchoolsRequest request, ServerCallContext context) =>
        importer.ImportAsync(context.GetCaller(), request.Csv, request.DryRun);

    [Authorize(Roles = Admins)]
    public override Task<Membership> CreateMembership(CreateMembershipRequest request, ServerCallContext context) =>
        catalog.CreateMembershipAsync(context.GetCaller(), request.Parent, request.Membership, request.RequestId);

    [Authorize(Roles = Admins)]
    public override Task<Membership> UpdateMembership(UpdateMembershipRequest request, ServerCallContext context) =>
        catalog.UpdateMembershipAsync(context.GetCaller(), request.Membership, request.UpdateMask);

    public override Task<Membership> GetMembership(GetMembershipRequest request, ServerCallContext context) =>
        catalog.GetMembershipAsync(request.Name);

    public override async Task<ListMembershipsResponse> ListMemberships(ListMembershipsRequest request, ServerCallContext context)
    {
        var (memberships, next) = await catalog.ListMembershipsAsync(request.Parent, request.PageSize, request.PageToken);
        return new ListMembershipsResponse { Memberships = { memberships }, NextPageToken = next };
    }
}
