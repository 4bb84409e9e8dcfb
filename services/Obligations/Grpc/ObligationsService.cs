using Ent.Partnership.Obligations.Application;
using Ent.Partnership.Obligations.V1;
using Ent.Partnership.ServiceDefaults.Identity;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace Ent.Partnership.Obligations.Grpc;

/// <summary>The Obligations gRPC service (and its REST API).</summary>
public sealed class ObligationsService(ObligationCatalog catalog) : V1.Obligations.ObligationsBase
{
    public override Task<Obligation> GetObligation(GetObligationRequest request, ServerCallContext context) =>
        catalog.GetAsync(request.Name);

    public override async Task<ListObligationsResponse> ListObligations(ListObligationsRequest request, ServerCallContext context)
    {
        var (obligations, next) = await catalog.ListAsync(request.Filter, request.PageSize, request.PageToken);
        return new ListObligationsResponse { Obligations = { obligations }, NextPageToken = next };
    }

    [Authorize(Roles = RoleNames.Admin + "," + RoleNames.Service + "," + RoleNames.Collectivity + "," + RoleNames.Academic)]
    public override Task<Evidence> CreateEvidence(CreateEvidenceRequest request, ServerCallContext context) =>
        catalog.CreateEvidenceAsync(context.GetCaller(), request.Parent, request.Evidence, request.RequestId);

    public override async Task<ListEvidenceResponse> ListEvidence(ListEvidenceRequest request, ServerCallContext context)
    {
        var (evidence, next) = await catalog.ListEvidenceAsync(request.Parent, request.PageSize, request.PageToken);
        return new ListEvidenceResponse { Evidence = { evidence }, NextPageToken = next };
    }
}
