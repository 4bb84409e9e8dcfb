using Ent.Partnership.Communications.Application;
using Ent.Partnership.Communications.V1;
using Ent.Partnership.ServiceDefaults.Identity;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Ent.Partnership.Communications.Grpc;

/// <summary>The Communications gRPC service (and its REST API).</summary>
public sealed class CommunicationsService(CommunicationCatalog catalog, ElectionCatalog elections) : V1.Communications.CommunicationsBase
{
    public override Task<Communication> CreateCommunication(CreateCommunicationRequest request, ServerCallContext context) =>
        catalog.CreateAsync(context.GetCaller(), request.Communication, request.CommunicationId, request.RequestId);

    public override Task<Communication> GetCommunication(GetCommunicationRequest request, ServerCallContext context) =>
        catalog.GetAsync(context.GetCaller(), request.Name);

    public override async Task<ListCommunicationsResponse> ListCommunications(ListCommunicationsRequest request, ServerCallContext context)
    {
        var (communications, next) = await catalog.ListAsync(context.GetCaller(), request.Filter, request.PageSize, request.PageToken);
        return new ListCommunicationsResponse { Communications = { communications }, NextPageToken = next };
    }

    public override Task<Communication> UpdateCommunication(UpdateCommunicationRequest request, ServerCallContext context) =>
        catalog.UpdateAsync(context.GetCaller(), request.Communication, request.UpdateMask);

    public override async Task<Empty> DeleteCommunication(DeleteCommunicationRequest request, ServerCallContext context)
    {
        await catalog.DeleteAsync(context.GetCaller(), request.Name, request.Etag);
        return new Empty();
    }

    public override Task<Verdict> CheckCommunication(CheckCommunicationRequest request, ServerCallContext context) =>
        catalog.CheckAsync(context.GetCaller(), request.Communication, request.Name);

    public override Task<Communication> SubmitCommunication(SubmitCommunicationRequest request, ServerCallContext context) =>
        catalog.SubmitAsync(context.GetCaller(), request.Name);

    public override Task<Communication> ApproveCommunication(ApproveCommunicationRequest request, ServerCallContext context) =>
        catalog.ApproveAsync(context.GetCaller(), request.Name, request.AcknowledgedRuleIds);

    public override Task<Communication> RequestCommunicationChanges(RequestCommunicationChangesRequest request, ServerCallContext context) =>
        catalog.RequestChangesAsync(context.GetCaller(), request.Name, request.Comment);

    public override Task<Communication> RejectCommunication(RejectCommunicationRequest request, ServerCallContext context) =>
        catalog.RejectAsync(context.GetCaller(), request.Name, request.Comment);

    public override Task<Communication> WithdrawCommunication(WithdrawCommunicationRequest request, ServerCallContext context) =>
        catalog.WithdrawAsync(context.GetCaller(), request.Name, request.Reason);

    public override Task<Communication> RetryCommunicationDeliveries(RetryCommunicationDeliveriesRequest request, ServerCallContext context) =>
        catalog.RetryDeliveriesAsync(context.GetCaller(), request.Name);

    public override Task<Delivery> GetDelivery(GetDeliveryRequest request, ServerCallContext context) =>
        catalog.GetDeliveryAsync(context.GetCaller(), request.Name);

    public override async Task<ListDeliveriesResponse> ListDeliveries(ListDeliveriesRequest request, ServerCallContext context)
    {
        var (deliveries, next) = await catalog.ListDeliveriesAsync(context.GetCaller(), request.Parent, request.Filter, request.PageSize, request.PageToken);
        return new ListDeliveriesResponse { Deliveries = { deliveries }, NextPageToken = next };
    }

    public override Task<Election> CreateElection(CreateElectionRequest request, ServerCallContext context) =>
        elections.CreateAsync(context.GetCaller(), request.Election, request.ElectionId, request.RequestId);

    public override Task<Election> GetElection(GetElectionRequest request, ServerCallContext context) =>
        elections.GetAsync(request.Name);

    public override async Task<ListElectionsResponse> ListElections(ListElectionsRequest request, ServerCallContext context)
    {
        var (list, next) = await elections.ListAsync(request.Filter, request.PageSize, request.PageToken);
        return new ListElectionsResponse { Elections = { list }, NextPageToken = next };
    }

    public override Task<Election> UpdateElection(UpdateElectionRequest request, ServerCallContext context) =>
        elections.UpdateAsync(context.GetCaller(), request.Election, request.UpdateMask);

    public override async Task<Empty> DeleteElection(DeleteElectionRequest request, ServerCallContext context)
    {
        await elections.DeleteAsync(context.GetCaller(), request.Name);
        return new Empty();
    }
}
