using Ent.Partnership.Communications.Application;
using Ent.Partnership.Communications.V1;
using Ent.Partnership.ServiceDefaults.Identity;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace Ent.Partnership.Communications.Grpc;

/// <summary>The Communications gRPC service (and its REST API).</summary>
public sealed class CommunicationsService(CommunicationCatalog catalog, ElectionCatalog elections) : V1.Communications.CommunicationsBase
{
    /// <summary>Collectivities write their own messages (an admin may for them).</summary>
    private const string Drafters = RoleNames.Admin + "," + RoleNames.Collectivity;

    /// <summary>The académies (and the DRAAF) review the messages to their schools.</summary>
    private const string Reviewers = RoleNames.Admin + "," + RoleNames.Academic;

    /// <summary>Those who write or review messages check them.</summary>
    private const string Checkers = Drafters + "," + RoleNames.Academic;

    private const string Admins = RoleNames.Admin;

    [Authorize(Roles = Drafters)]
    public override Task<Communication> CreateCommunication(CreateCommunicationRequest request, ServerCallContext context) =>
        catalog.CreateAsync(context.GetCaller(), request.Communication, request.CommunicationId, request.RequestId);

    public override Task<Communication> GetCommunication(GetCommunicationRequest request, ServerCallContext context) =>
        catalog.GetAsync(context.GetCaller(), request.Name);

    public override Task<Common.V1.History> GetCommunicationHistory(GetCommunicationHistoryRequest request, ServerCallContext context) =>
        catalog.HistoryAsync(context.GetCaller(), request);

    public override async Task<ListCommunicationsResponse> ListCommunications(ListCommunicationsRequest request, ServerCallContext context)
    {
        var (communications, next) = await catalog.ListAsync(context.GetCaller(), request.Filter, request.PageSize, request.PageToken);
        return new ListCommunicationsResponse { Communications = { communications }, NextPageToken = next };
    }

    [Authorize(Roles = Drafters)]
    public override Task<Communication> UpdateCommunication(UpdateCommunicationRequest request, ServerCallContext context) =>
        catalog.UpdateAsync(context.GetCaller(), request.Communication, request.UpdateMask);

    [Authorize(Roles = Drafters)]
    public override async Task<Empty> DeleteCommunication(DeleteCommunicationRequest request, ServerCallContext context)
    {
        await catalog.DeleteAsync(context.GetCaller(), request.Name, request.Etag);
        return new Empty();
    }

    [Authorize(Roles = Checkers)]
    public override Task<Verdict> CheckCommunication(CheckCommunicationRequest request, ServerCallContext context) =>
        catalog.CheckAsync(context.GetCaller(), request.Communication, request.Name);

    [Authorize(Roles = Drafters)]
    public override Task<Communication> SubmitCommunication(SubmitCommunicationRequest request, ServerCallContext context) =>
        catalog.SubmitAsync(context.GetCaller(), request.Name);

    [Authorize(Roles = Reviewers)]
    public override Task<Communication> ApproveCommunication(ApproveCommunicationRequest request, ServerCallContext context) =>
        catalog.ApproveAsync(context.GetCaller(), request.Name, request.AcknowledgedRuleIds);

    [Authorize(Roles = Reviewers)]
    public override Task<Communication> RequestCommunicationChanges(RequestCommunicationChangesRequest request, ServerCallContext context) =>
        catalog.RequestChangesAsync(context.GetCaller(), request.Name, request.Comment);

    [Authorize(Roles = Reviewers)]
    public override Task<Communication> RejectCommunication(RejectCommunicationRequest request, ServerCallContext context) =>
        catalog.RejectAsync(context.GetCaller(), request.Name, request.Comment);

    [Authorize(Roles = Drafters)]
    public override Task<Communication> WithdrawCommunication(WithdrawCommunicationRequest request, ServerCallContext context) =>
        catalog.WithdrawAsync(context.GetCaller(), request.Name, request.Reason);

    [Authorize(Roles = Drafters)]
    public override Task<Communication> RetryCommunicationDeliveries(RetryCommunicationDeliveriesRequest request, ServerCallContext context) =>
        catalog.RetryDeliveriesAsync(context.GetCaller(), request.Name);

    public override Task<Delivery> GetDelivery(GetDeliveryRequest request, ServerCallContext context) =>
        catalog.GetDeliveryAsync(context.GetCaller(), request.Name);

    public override async Task<ListDeliveriesResponse> ListDeliveries(ListDeliveriesRequest request, ServerCallContext context)
    {
        var (deliveries, next) = await catalog.ListDeliveriesAsync(context.GetCaller(), request.Parent, request.Filter, request.PageSize, request.PageToken);
        return new ListDeliveriesResponse { Deliveries = { deliveries }, NextPageToken = next };
    }

    [Authorize(Roles = Admins)]
    public override Task<Election> CreateElection(CreateElectionRequest request, ServerCallContext context) =>
        elections.CreateAsync(context.GetCaller(), request.Election, request.ElectionId, request.RequestId);

    public override Task<Election> GetElection(GetElectionRequest request, ServerCallContext context) =>
        elections.GetAsync(request.Name);

    public override async Task<ListElectionsResponse> ListElections(ListElectionsRequest request, ServerCallContext context)
    {
        var (list, next) = await elections.ListAsync(request.Filter, request.PageSize, request.PageToken);
        return new ListElectionsResponse { Elections = { list }, NextPageToken = next };
    }

    [Authorize(Roles = Admins)]
    public override Task<Election> UpdateElection(UpdateElectionRequest request, ServerCallContext context) =>
        elections.UpdateAsync(context.GetCaller(), request.Election, request.UpdateMask);

    [Authorize(Roles = Admins)]
    public override async Task<Empty> DeleteElection(DeleteElectionRequest request, ServerCallContext context)
    {
        await elections.DeleteAsync(context.GetCaller(), request.Name);
        return new Empty();
    }
}
