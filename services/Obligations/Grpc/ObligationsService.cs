using Ent.Partnership.Obligations.Application;
using Ent.Partnership.Obligations.V1;
using Grpc.Core;

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
}
