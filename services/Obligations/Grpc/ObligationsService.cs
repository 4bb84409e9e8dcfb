using Ent.Partnership.Obligations.Application;
using Ent.Partnership.Obligations.Domain;
using Ent.Partnership.Obligations.V1;
using Ent.Partnership.ServiceDefaults.Identity;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace Ent.Partnership.Obligations.Grpc;

/// <summary>The Obligations gRPC service (and its REST API).</summary>
public sealed class ObligationsService(ObligationCatalog catalog) : V1.Obligations.ObligationsBase
{
    /// <summary>Evidence and tickets are recorded by the obligors themselves (or an admin).</summary>
    private const string Obligors = RoleNames.Admin + "," + RoleNames.Collectivity + "," + RoleNames.Academic;

    // The conventions service checks the obligation a steering committee waives.
    [ServiceCallers("conventions")]
    public override Task<Obligation> GetObligation(GetObligationRequest request, ServerCallContext context) =>
        catalog.GetAsync(request.Name);

    public override Task<Common.V1.History> GetObligationHistory(GetObligationHistoryRequest request, ServerCallContext context) =>
        catalog.HistoryAsync(context.GetCaller(), request, "obligations");

    public override Task<Common.V1.History> GetTicketHistory(GetTicketHistoryRequest request, ServerCallContext context) =>
        catalog.HistoryAsync(context.GetCaller(), request, "tickets");

    public override async Task<ListObligationsResponse> ListObligations(ListObligationsRequest request, ServerCallContext context)
    {
        var (obligations, next) = await catalog.ListAsync(request.Filter, request.PageSize, request.PageToken);
        return new ListObligationsResponse { Obligations = { obligations }, NextPageToken = next };
    }

    public override Task<ComplianceReport> GetComplianceReport(GetComplianceReportRequest request, ServerCallContext context) =>
        catalog.ReportAsync(request.Convention, request.SchoolYear);

    [Authorize(Roles = Obligors)]
    public override Task<Evidence> CreateEvidence(CreateEvidenceRequest request, ServerCallContext context) =>
        catalog.CreateEvidenceAsync(context.GetCaller(), request.Parent, request.Evidence, request.RequestId);

    public override Task<Evidence> GetEvidence(GetEvidenceRequest request, ServerCallContext context) =>
        catalog.GetEvidenceAsync(request.Name);

    public override async Task<ListEvidenceResponse> ListEvidence(ListEvidenceRequest request, ServerCallContext context)
    {
        var (evidence, next) = await catalog.ListEvidenceAsync(request.Parent, request.PageSize, request.PageToken);
        return new ListEvidenceResponse { Evidence = { evidence }, NextPageToken = next };
    }

    [Authorize(Roles = Obligors)]
    public override Task<Ticket> CreateTicket(CreateTicketRequest request, ServerCallContext context) =>
        catalog.CreateTicketAsync(context.GetCaller(), request.Ticket, request.RequestId);

    public override Task<Ticket> GetTicket(GetTicketRequest request, ServerCallContext context) =>
        catalog.GetTicketAsync(request.Name);

    public override async Task<ListTicketsResponse> ListTickets(ListTicketsRequest request, ServerCallContext context)
    {
        var (tickets, next) = await catalog.ListTicketsAsync(request.Filter, request.PageSize, request.PageToken);
        return new ListTicketsResponse { Tickets = { tickets }, NextPageToken = next };
    }

    [Authorize(Roles = Obligors)]
    public override Task<Ticket> RespondTicket(RespondTicketRequest request, ServerCallContext context) =>
        catalog.ActOnTicketAsync(context.GetCaller(), request.Name, (ticket, _, _, now) => TicketLifecycle.Respond(ticket, now));

    [Authorize(Roles = Obligors)]
    public override Task<Ticket> PauseTicket(PauseTicketRequest request, ServerCallContext context) =>
        catalog.ActOnTicketAsync(context.GetCaller(), request.Name, (ticket, _, _, now) => TicketLifecycle.Pause(ticket, now));

    [Authorize(Roles = Obligors)]
    public override Task<Ticket> ResumeTicket(ResumeTicketRequest request, ServerCallContext context) =>
        catalog.ActOnTicketAsync(context.GetCaller(), request.Name, TicketLifecycle.Resume);

    [Authorize(Roles = Obligors)]
    public override Task<Ticket> SolveTicket(SolveTicketRequest request, ServerCallContext context) =>
        catalog.ActOnTicketAsync(context.GetCaller(), request.Name, TicketLifecycle.Solve);

    [Authorize(Roles = Obligors)]
    public override Task<Ticket> CloseTicket(CloseTicketRequest request, ServerCallContext context) =>
        catalog.ActOnTicketAsync(context.GetCaller(), request.Name, (ticket, _, _, _) => TicketLifecycle.Close(ticket));

    [Authorize(Roles = Obligors)]
    public override Task<Ticket> ReopenTicket(ReopenTicketRequest request, ServerCallContext context) =>
        catalog.ActOnTicketAsync(context.GetCaller(), request.Name, (ticket, _, _, _) => TicketLifecycle.Reopen(ticket));
}
