using Ent.Partnership.Common.V1;
using Ent.Partnership.Conventions.Application;
using Ent.Partnership.Conventions.Storage;
using Ent.Partnership.Conventions.V1;
using Ent.Partnership.ServiceDefaults.Identity;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace Ent.Partnership.Conventions.Grpc;

/// <summary>The Conventions gRPC service (and its REST API): maps requests to the catalog.</summary>
public sealed class ConventionsService(ConventionCatalog catalog) : V1.Conventions.ConventionsBase
{
    /// <summary>Creating and moving conventions is for admins (and the suite's services).</summary>
    private const string Admins = RoleNames.Admin;

    /// <summary>Deliberations and signatures are recorded by the parties themselves, or an admin for them.</summary>
    private const string Signers = RoleNames.Admin + "," + RoleNames.Collectivity + "," + RoleNames.Academic;

    [Authorize(Roles = Admins)]
    public override Task<Convention> CreateConvention(CreateConventionRequest request, ServerCallContext context) =>
        catalog.CreateAsync(context.GetCaller(), request.Convention, request.ConventionId, request.RequestId);

    public override Task<Convention> GetConvention(GetConventionRequest request, ServerCallContext context) =>
        catalog.GetAsync(request.Name);

    public override async Task<ListConventionsResponse> ListConventions(ListConventionsRequest request, ServerCallContext context)
    {
        var (conventions, next) = await catalog.ListAsync(request.Filter, request.PageSize, request.PageToken);
        return new ListConventionsResponse { Conventions = { conventions }, NextPageToken = next };
    }

    [Authorize(Roles = Admins)]
    public override Task<Convention> UpdateConvention(UpdateConventionRequest request, ServerCallContext context) =>
        catalog.UpdateAsync(context.GetCaller(), request.Convention, request.UpdateMask);

    [Authorize(Roles = Admins)]
    public override Task<Convention> SubmitConvention(SubmitConventionRequest request, ServerCallContext context) =>
        catalog.SubmitAsync(context.GetCaller(), request.Name);

    [Authorize(Roles = Admins)]
    public override Task<Convention> ReopenConvention(ReopenConventionRequest request, ServerCallContext context) =>
        catalog.ReopenAsync(context.GetCaller(), request.Name, request.Reason);

    [Authorize(Roles = Admins)]
    public override Task<Convention> TerminateConvention(TerminateConventionRequest request, ServerCallContext context) =>
        catalog.TerminateAsync(context.GetCaller(), request.Name, request.Reason, request.EffectiveDate);

    [Authorize(Roles = Admins)]
    public override Task<Convention> CancelTermination(CancelTerminationRequest request, ServerCallContext context) =>
        catalog.CancelTerminationAsync(context.GetCaller(), request.Name, request.Reason);

    public override Task<Readiness> GetReadiness(GetReadinessRequest request, ServerCallContext context) =>
        catalog.ReadinessAsync(request.Name);

    [Authorize(Roles = Signers)]
    public override Task<Deliberation> CreateDeliberation(CreateDeliberationRequest request, ServerCallContext context) =>
        catalog.CreateDeliberationAsync(context.GetCaller(), request.Parent, request.Deliberation, request.DeliberationId, request.RequestId);

    public override Task<Deliberation> GetDeliberation(GetDeliberationRequest request, ServerCallContext context) =>
        catalog.GetDeliberationAsync(request.Name);

    public override async Task<ListDeliberationsResponse> ListDeliberations(ListDeliberationsRequest request, ServerCallContext context)
    {
        var (deliberations, next) = await catalog.ListChildrenAsync(
            ConventionRepository.Deliberations, request.Parent, Deliberation.Parser, request.PageSize, request.PageToken);
        return new ListDeliberationsResponse { Deliberations = { deliberations }, NextPageToken = next };
    }

    [Authorize(Roles = Signers)]
    public override Task<Deliberation> UpdateDeliberation(UpdateDeliberationRequest request, ServerCallContext context) =>
        catalog.UpdateDeliberationAsync(context.GetCaller(), request.Deliberation, request.UpdateMask);

    [Authorize(Roles = Signers)]
    public override Task<Signature> CreateSignature(CreateSignatureRequest request, ServerCallContext context) =>
        catalog.CreateSignatureAsync(context.GetCaller(), request.Parent, request.Signature, request.RequestId);

    public override Task<Signature> GetSignature(GetSignatureRequest request, ServerCallContext context) =>
        catalog.GetSignatureAsync(request.Name);

    public override async Task<ListSignaturesResponse> ListSignatures(ListSignaturesRequest request, ServerCallContext context)
    {
        var (signatures, next) = await catalog.ListChildrenAsync(
            ConventionRepository.Signatures, request.Parent, Signature.Parser, request.PageSize, request.PageToken);
        return new ListSignaturesResponse { Signatures = { signatures }, NextPageToken = next };
    }

    [Authorize(Roles = Admins)]
    public override Task<Meeting> CreateMeeting(CreateMeetingRequest request, ServerCallContext context) =>
        catalog.CreateMeetingAsync(context.GetCaller(), request.Parent, request.Meeting, request.MeetingId, request.RequestId);

    public override Task<Meeting> GetMeeting(GetMeetingRequest request, ServerCallContext context) =>
        catalog.GetMeetingAsync(request.Name);

    public override async Task<ListMeetingsResponse> ListMeetings(ListMeetingsRequest request, ServerCallContext context)
    {
        var (meetings, next) = await catalog.ListChildrenAsync(
            ConventionRepository.Meetings, request.Parent, Meeting.Parser, request.PageSize, request.PageToken);
        return new ListMeetingsResponse { Meetings = { meetings }, NextPageToken = next };
    }

    [Authorize(Roles = Admins)]
    public override Task<Meeting> HoldMeeting(HoldMeetingRequest request, ServerCallContext context) =>
        catalog.HoldMeetingAsync(context.GetCaller(), request.Name, request.Attendance);

    [Authorize(Roles = Admins)]
    public override Task<Meeting> UpdateMeeting(UpdateMeetingRequest request, ServerCallContext context) =>
        catalog.UpdateMeetingAsync(context.GetCaller(), request.Meeting, request.UpdateMask);

    [Authorize(Roles = Admins)]
    public override Task<Meeting> CancelMeeting(CancelMeetingRequest request, ServerCallContext context) =>
        catalog.CancelMeetingAsync(context.GetCaller(), request.Name, request.Reason);

    [Authorize(Roles = Admins)]
    public override Task<Meeting> RecordDecision(RecordDecisionRequest request, ServerCallContext context) =>
        catalog.RecordDecisionAsync(context.GetCaller(), request.Name, request.Decision);

    [Authorize(Roles = Admins)]
    public override Task<Amendment> CreateAmendment(CreateAmendmentRequest request, ServerCallContext context) =>
        catalog.CreateAmendmentAsync(context.GetCaller(), request.Parent, request.Amendment, request.AmendmentId, request.RequestId);

    public override Task<History> GetConventionHistory(GetConventionHistoryRequest request, ServerCallContext context) =>
        catalog.ConventionHistoryAsync(context.GetCaller(), request);

    public override Task<History> GetAmendmentHistory(GetAmendmentHistoryRequest request, ServerCallContext context) =>
        catalog.AmendmentHistoryAsync(context.GetCaller(), request);

    public override Task<History> GetMeetingHistory(GetMeetingHistoryRequest request, ServerCallContext context) =>
        catalog.MeetingHistoryAsync(context.GetCaller(), request);

    public override Task<Amendment> GetAmendment(GetAmendmentRequest request, ServerCallContext context) =>
        catalog.GetAmendmentAsync(request.Name);

    public override async Task<ListAmendmentsResponse> ListAmendments(ListAmendmentsRequest request, ServerCallContext context)
    {
        var (amendments, next) = await catalog.ListChildrenAsync(
            ConventionRepository.Amendments, request.Parent, Amendment.Parser, request.PageSize, request.PageToken);
        return new ListAmendmentsResponse { Amendments = { amendments }, NextPageToken = next };
    }

    [Authorize(Roles = Admins)]
    public override Task<Amendment> SubmitAmendment(SubmitAmendmentRequest request, ServerCallContext context) =>
        catalog.SubmitAmendmentAsync(context.GetCaller(), request.Name);

    [Authorize(Roles = Admins)]
    public override Task<Amendment> ReopenAmendment(ReopenAmendmentRequest request, ServerCallContext context) =>
        catalog.ReopenAmendmentAsync(context.GetCaller(), request.Name, request.Reason);

    [Authorize(Roles = Admins)]
    public override Task<Amendment> AbandonAmendment(AbandonAmendmentRequest request, ServerCallContext context) =>
        catalog.AbandonAmendmentAsync(context.GetCaller(), request.Name, request.Reason);

    [Authorize(Roles = Admins)]
    public override Task<Amendment> UpdateAmendment(UpdateAmendmentRequest request, ServerCallContext context) =>
        catalog.UpdateAmendmentAsync(context.GetCaller(), request.Amendment, request.UpdateMask);
}
