using Ent.Partnership.Conventions.Application;
using Ent.Partnership.Conventions.V1;
using Ent.Partnership.ServiceDefaults.Identity;
using Microsoft.Extensions.DependencyInjection;
using static Ent.Partnership.Conventions.V1.Convention.Types;

namespace Ent.Partnership.Conventions.Tests.Service;

/// <summary>
/// Two replicas of the conventions service (two hosts, one Redis, one clock) whose clocks tick at the same
/// moment: each convention comes into force once, with one ConventionInForce, and a scheduled termination
/// takes effect once, with one ConventionTerminated. Its own fixture, since it moves the shared clock.
/// </summary>
public sealed class ConventionClockRaceTests(ConventionsServiceFactory service) : ConventionClockRaceContract(service), IClassFixture<ConventionsServiceFactory>;

/// <summary>The same race with the service's storage on the Dapr path: the stand-in's ETags decide it.</summary>
public sealed class ConventionClockRaceOnDaprTests(DaprConventionsServiceFactory service) : ConventionClockRaceContract(service), IClassFixture<DaprConventionsServiceFactory>;

public abstract class ConventionClockRaceContract(ConventionsServiceFactory service)
{
    private string Today => DateOnly.FromDateTime(service.Time.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd");

    /// <summary>Both replicas' clocks, each ticking twice at once, three times over.</summary>
    private async Task RaceAsync(ConventionClock[] clocks)
    {
        for (var round = 0; round < 3; round++)
        {
            // Two ticks per replica at once: as if each replica's timer fired twice while the other's did.
            await Task.WhenAll(clocks.Concat(clocks).Select(clock => Task.Run(clock.TickAsync)));
        }
    }

    [Fact]
    public async Task TwoReplicasTickingTogether_OnAnAmendmentsEffectiveDate_ApplyEachAmendment_Once()
    {
        var ids = Enumerable.Range(1, 10).Select(i => $"amendment-race-{i}").ToList();
        var day = DateOnly.FromDateTime(service.Time.GetUtcNow().UtcDateTime).AddDays(2).ToString("yyyy-MM-dd");
        foreach (var id in ids)
        {
            await service.InSignatureAsync(id, Today);
            await service.SignAsync(id, "parties/aca-reims", RoleNames.Academic);
            await service.SignAsync(id, "parties/dep-51", RoleNames.Collectivity);
            var amendment = await service.Grpc.CreateAmendmentAsync(new CreateAmendmentRequest
            {
                Parent = "conventions/" + id,
                AmendmentId = "avenant",
                Amendment = new Amendment { Title = "Avenant", EffectiveDate = day, Changes = new AmendmentChanges { NewEndDate = "2030-08-31" } },
            }, service.Admin);
            await service.Grpc.SubmitAmendmentAsync(new SubmitAmendmentRequest { Name = amendment.Name }, service.Admin);
            await service.Grpc.CreateDeliberationAsync(new CreateDeliberationRequest
            {
                Parent = amendment.Name,
                Deliberation = new Deliberation { Stage = Deliberation.Types.Stage.Decision, Body = "Commission Permanente", Reference = "CP/2026/2", Date = Today, Outcome = Deliberation.Types.Outcome.Adopted },
            }, service.As("parties/dep-51", RoleNames.Collectivity));
            foreach (var (party, role) in new[] { ("parties/aca-reims", RoleNames.Academic), ("parties/dep-51", RoleNames.Collectivity) })
            {
                await service.Grpc.CreateSignatureAsync(new CreateSignatureRequest
                {
                    Parent = amendment.Name,
                    Signature = new Signature { SignatoryName = "Signataire", SignedOn = Today },
                }, service.As(party, role));
            }

            var signed = await service.Grpc.GetAmendmentAsync(new GetAmendmentRequest { Name = amendment.Name }, service.Admin);
            var unchanged = await service.Grpc.GetConventionAsync(new GetConventionRequest { Name = "conventions/" + id }, service.Admin);
            var waiting = Assert.Single((await service.Grpc.GetReadinessAsync(new GetReadinessRequest { Name = amendment.Name }, service.Admin)).UnmetConditions);
            Assert.Equal((Amendment.Types.State.Signed, day, 1, ""), (signed.State, signed.EffectiveDate, unchanged.Revision, unchanged.EndDate));
            Assert.Equal("EFFECTIVE_DATE_NOT_REACHED", waiting.Type);
            Assert.Contains(day, waiting.Description, StringComparison.Ordinal);
        }

        await using var secondReplica = service.WithWebHostBuilder(_ => { });
        service.Time.Advance(TimeSpan.FromDays(3));
        await RaceAsync([service.Services.GetRequiredService<ConventionClock>(), secondReplica.Services.GetRequiredService<ConventionClock>()]);

        var events = (await service.PublishedEventsAsync()).Where(received => received.Type == "ent.partnership.conventions.v1.ConventionAmended").ToList();
        foreach (var id in ids)
        {
            var convention = await service.Grpc.GetConventionAsync(new GetConventionRequest { Name = "conventions/" + id }, service.Admin);
            var amendment = await service.Grpc.GetAmendmentAsync(new GetAmendmentRequest { Name = $"conventions/{id}/amendments/avenant" }, service.Admin);
            Assert.Equal((2, "2030-08-31", Amendment.Types.State.Applied), (convention.Revision, convention.EndDate, amendment.State));
            var amended = Assert.Single(events, received => received.Subject == "conventions/" + id);
            Assert.Equal(day, amended.DataAs(ConventionAmended.Parser).EffectiveDate);
        }
    }

    [Fact]
    public async Task TwoReplicasTickingTogether_OnATerminationDay_TerminateEachConvention_Once()
    {
        var ids = Enumerable.Range(1, 10).Select(i => $"termination-race-{i}").ToList();
        var day = DateOnly.FromDateTime(service.Time.GetUtcNow().UtcDateTime).AddDays(2).ToString("yyyy-MM-dd");
        foreach (var id in ids)
        {
            await service.InSignatureAsync(id, Today);
            await service.SignAsync(id, "parties/aca-reims", RoleNames.Academic);
            await service.SignAsync(id, "parties/dep-51", RoleNames.Collectivity);
            var scheduled = await service.Grpc.TerminateConventionAsync(new TerminateConventionRequest { Name = "conventions/" + id, Reason = "Fin", EffectiveDate = day }, service.Admin);
            Assert.Equal((State.InForce, day), (scheduled.State, scheduled.Termination.EffectiveDate));
        }

        await using var secondReplica = service.WithWebHostBuilder(_ => { });
        service.Time.Advance(TimeSpan.FromDays(3));
        await RaceAsync([service.Services.GetRequiredService<ConventionClock>(), secondReplica.Services.GetRequiredService<ConventionClock>()]);

        var events = (await service.PublishedEventsAsync()).Where(received => received.Type == "ent.partnership.conventions.v1.ConventionTerminated").ToList();
        foreach (var id in ids)
        {
            var convention = await service.Grpc.GetConventionAsync(new GetConventionRequest { Name = "conventions/" + id }, service.Admin);
            Assert.Equal(State.Terminated, convention.State);
            var terminated = Assert.Single(events, received => received.Subject == "conventions/" + id);
            Assert.Equal(day, terminated.DataAs(ConventionTerminated.Parser).EffectiveDate);
        }
    }

    [Fact]
    public async Task TwoReplicasTickingTogether_PutEachConventionInForce_Once()
    {
        var effective = DateOnly.FromDateTime(service.Time.GetUtcNow().UtcDateTime).AddDays(2).ToString("yyyy-MM-dd");
        var ids = Enumerable.Range(1, 10).Select(i => $"clock-race-{i}").ToList();
        foreach (var id in ids)
        {
            await service.InSignatureAsync(id, effective);
            await service.SignAsync(id, "parties/aca-reims", RoleNames.Academic);
            await service.SignAsync(id, "parties/dep-51", RoleNames.Collectivity);
        }

        await using var secondReplica = service.WithWebHostBuilder(_ => { });
        service.Time.Advance(TimeSpan.FromDays(3));
        await RaceAsync([service.Services.GetRequiredService<ConventionClock>(), secondReplica.Services.GetRequiredService<ConventionClock>()]);

        var events = (await service.PublishedEventsAsync())
            .Where(received => received.Type == "ent.partnership.conventions.v1.ConventionInForce")
            .ToList();
        foreach (var id in ids)
        {
            var convention = await service.Grpc.GetConventionAsync(new GetConventionRequest { Name = "conventions/" + id }, service.Admin);
            Assert.Equal(State.InForce, convention.State);
            Assert.Single(events, received => received.Subject == "conventions/" + id);
        }
    }
}
