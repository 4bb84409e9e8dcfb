using Ent.Partnership.Conventions.Application;
using Ent.Partnership.Conventions.V1;
using Ent.Partnership.ServiceDefaults.Identity;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using static Ent.Partnership.Conventions.V1.Convention.Types;

namespace Ent.Partnership.Conventions.Tests.Service;

public sealed class ConventionsGrpcTests(ConventionsServiceFactory service) : ConventionsGrpcContract(service), IClassFixture<ConventionsServiceFactory>;

/// <summary>The same behaviour with the service's storage on the Dapr path (the sidecar stand-in).</summary>
public sealed class ConventionsGrpcOnDaprTests(DaprConventionsServiceFactory service) : ConventionsGrpcContract(service), IClassFixture<DaprConventionsServiceFactory>;

/// <summary>The conventions service's gRPC behaviour, whichever storage adapter it runs on.</summary>
public abstract class ConventionsGrpcContract(ConventionsServiceFactory service)
{
    [Fact]
    public async Task TheClock_PutsASignedConventionInForce_OnItsEffectiveDate()
    {
        await service.InSignatureAsync("clock-test", "2026-12-01");
        await service.SignAsync("clock-test", "parties/aca-reims", RoleNames.Academic);
        await service.SignAsync("clock-test", "parties/dep-51", RoleNames.Collectivity);
        var clock = service.Services.GetRequiredService<ConventionClock>();

        await clock.TickAsync();
        var waiting = await service.Grpc.GetReadinessAsync(new GetReadinessRequest { Name = "conventions/clock-test" }, service.Admin);
        service.Time.Advance(TimeSpan.FromDays(3));
        await clock.TickAsync();
        var inForce = await service.Grpc.GetConventionAsync(new GetConventionRequest { Name = "conventions/clock-test" }, service.Admin);

        Assert.Equal(State.Signed, waiting.State);
        Assert.Equal("EFFECTIVE_DATE_NOT_REACHED", waiting.UnmetConditions.Single().Type);
        Assert.Equal(State.InForce, inForce.State);
        Assert.Single(await service.PublishedEventsAsync(), e => e.Type == "ent.partnership.conventions.v1.ConventionInForce"
            && e.Subject == "conventions/clock-test");
    }

    [Fact]
    public async Task ASignatureSentTwiceAtOnce_WithOneRequestId_IsRecordedOnce_AndBothAnswersNameIt()
    {
        await service.InSignatureAsync("twin-signatures", "2026-12-01");
        var request = new CreateSignatureRequest
        {
            Parent = "conventions/twin-signatures",
            RequestId = "3f0e7a52-9a43-4d8e-9a3b-5b9e0b1f2c11",
            Signature = new Signature { SignatoryName = "Signataire", SignedOn = "2026-11-27" },
        };
        var caller = service.As("parties/aca-reims", RoleNames.Academic);

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => service.Grpc.CreateSignatureAsync(request, caller).ResponseAsync));

        Assert.Single(answers.Select(a => a.Name).Distinct());
        Assert.Single(await service.PublishedEventsAsync(), e => e.Type == "ent.partnership.conventions.v1.SignatureRecorded"
            && e.Subject == "conventions/twin-signatures/signatures/aca-reims");
    }

    [Fact]
    public async Task AWaiver_WhileTheObligationsServiceDoesNotAnswer_IsUnavailable_AndNotRecorded()
    {
        // No obligations service runs beside this one: the waiver cannot be checked.
        await service.InSignatureAsync("waiver-unchecked", "2026-01-01");
        var meeting = await service.Grpc.CreateMeetingAsync(new CreateMeetingRequest
        {
            Parent = "conventions/waiver-unchecked",
            MeetingId = "copil",
            Meeting = new Meeting { Body = GovernanceClause.Types.Body.SteeringCommittee, Kind = Meeting.Types.Kind.Ordinary, ScheduledAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(service.Time.GetUtcNow()), Agenda = { new AgendaItem { ItemId = "levee", Title = "Levée" } } },
        }, service.Admin);
        await service.Grpc.HoldMeetingAsync(new HoldMeetingRequest
        {
            Name = meeting.Name,
            Attendance = { new Attendance { Party = "parties/aca-reims", Status = Attendance.Types.Status.Present }, new Attendance { Party = "parties/dep-51", Status = Attendance.Types.Status.Present } },
        }, service.Admin);

        var error = await Assert.ThrowsAsync<RpcException>(() => service.Grpc.RecordDecisionAsync(new RecordDecisionRequest
        {
            Name = meeting.Name,
            Decision = new Decision { DecisionId = "d1", ItemId = "levee", Outcome = Decision.Types.Outcome.Approved, WaiveObligation = new WaiveObligation { Obligation = "obligations/o-any" } },
        }, service.Admin).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Empty((await service.Grpc.GetMeetingAsync(new GetMeetingRequest { Name = meeting.Name }, service.Admin)).Decisions);
    }

    [Fact]
    public async Task APartyCannotSign_ForAnother()
    {
        await service.InSignatureAsync("impersonation", "2026-01-01");

        var error = await Assert.ThrowsAsync<RpcException>(() => service.Grpc.CreateSignatureAsync(new CreateSignatureRequest
        {
            Parent = "conventions/impersonation",
            Signature = new Signature { Party = "parties/aca-reims", SignatoryName = "X", SignedOn = "2026-11-27" },
        }, service.As("parties/dep-51", RoleNames.Collectivity)).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task APartyCannotDeliberate_ForAnother()
    {
        await service.Grpc.CreateConventionAsync(new CreateConventionRequest { ConventionId = "deliberation-impersonation", Convention = ConventionsServiceFactory.Draft("2026-01-01") }, service.Admin);
        await service.Grpc.SubmitConventionAsync(new SubmitConventionRequest { Name = "conventions/deliberation-impersonation" }, service.Admin);

        var error = await Assert.ThrowsAsync<RpcException>(() => service.Grpc.CreateDeliberationAsync(new CreateDeliberationRequest
        {
            Parent = "conventions/deliberation-impersonation",
            Deliberation = new Deliberation
            {
                Party = "parties/dep-51", Stage = Deliberation.Types.Stage.Decision, Body = "Commission Permanente", Reference = "CP/2026/2",
                Date = "2026-11-20", Outcome = Deliberation.Types.Outcome.Adopted,
            },
        }, service.As("parties/dep-57", RoleNames.Collectivity)).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task AnObserver_CannotSign()
    {
        await service.InSignatureAsync("observer", "2026-01-01");

        var error = await Assert.ThrowsAsync<RpcException>(() => service.SignAsync("observer", "parties/aca-reims", RoleNames.Observer));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task ASignatoryThatDoesNotExist_IsRefused()
    {
        var draft = ConventionsServiceFactory.Draft("2026-01-01");
        draft.Signatories.Add(new Signatory { Party = "parties/nowhere", Role = Signatory.Types.Role.Collectivity });

        var error = await Assert.ThrowsAsync<RpcException>(() => service.Grpc.CreateConventionAsync(new CreateConventionRequest { Convention = draft }, service.Admin).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("signatories[2].party", error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Single().Field);
    }

    [Fact]
    public async Task ASignatoryOfTheWrongKind_IsRefused()
    {
        var draft = ConventionsServiceFactory.Draft("2026-01-01");
        draft.Signatories[0].Role = Signatory.Types.Role.Collectivity;

        var error = await Assert.ThrowsAsync<RpcException>(() => service.Grpc.CreateConventionAsync(new CreateConventionRequest { Convention = draft }, service.Admin).ResponseAsync);

        Assert.Equal("signatories[0].role", error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Single().Field);
    }

    [Fact]
    public async Task UpdatingASubmittedConvention_IsRefused()
    {
        var convention = await service.InSignatureAsync("frozen", "2026-01-01");

        var error = await Assert.ThrowsAsync<RpcException>(() => service.Grpc.UpdateConventionAsync(new UpdateConventionRequest
        {
            Convention = new Convention { Name = convention.Name, Title = "Autre titre" },
        }, service.Admin).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("WRONG_STATE", error.GetRpcStatus()!.GetDetail<PreconditionFailure>().Violations.Single().Type);
    }
}
