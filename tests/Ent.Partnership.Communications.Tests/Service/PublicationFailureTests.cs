extern alias sandbox;

using Ent.Partnership.Common.V1;
using Ent.Partnership.Communications.V1;
using Ent.Partnership.ServiceDefaults.Identity;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using DeliveryState = Ent.Partnership.Communications.V1.Delivery.Types.State;
using SandboxSettings = sandbox::Ent.Partnership.EntSandbox.SandboxSettings;

namespace Ent.Partnership.Communications.Tests.Service;

/// <summary>What the publisher does when the ENT keeps failing or refuses.</summary>
public sealed class PublicationFailureTests(ServiceEnvironment environment) : IClassFixture<ServiceEnvironment>
{
    private static readonly global::Grpc.Core.Metadata Cea = TestKeys.As("parties/cea", RoleNames.Collectivity);
    private static readonly global::Grpc.Core.Metadata Strasbourg = TestKeys.As("parties/aca-strasbourg", RoleNames.Academic);

    private SandboxSettings Sandbox => environment.Sandbox.Services.GetRequiredService<SandboxSettings>();

    private static async Task<string> PublishAsync(CommunicationsFactory service, params string[] schools)
    {
        await service.KeepSampleConventionAsync();
        var message = await service.Client.CreateCommunicationAsync(new CreateCommunicationRequest
        {
            Communication = new Communication
            {
                Title = "Cantine",
                Body = "Les menus de décembre sont en ligne.",
                Category = Category.Transport,
                Audiences = { Audience.Parents },
                Targets = new Targets { Schools = { schools.Select(s => "parties/" + s) } },
                ExpireTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(10)),
            },
        }, Cea);
        await service.Client.SubmitCommunicationAsync(new SubmitCommunicationRequest { Name = message.Name }, Cea);
        await service.Client.ApproveCommunicationAsync(new ApproveCommunicationRequest { Name = message.Name }, Strasbourg);
        return message.Name;
    }

    private static async Task<IReadOnlyList<Delivery>> DeliveriesWhenAsync(CommunicationsFactory service, string name, Func<Delivery, bool> settled)
    {
        IReadOnlyList<Delivery> deliveries = [];
        await Wait.UntilAsync(async () =>
        {
            deliveries = (await service.Client.ListDeliveriesAsync(new ListDeliveriesRequest { Parent = name }, Cea)).Deliveries;
            return deliveries.Count > 0 && deliveries.All(settled);
        });
        return deliveries;
    }

    [Fact]
    public async Task PushesTheEntKeepsFailing_AreFailedAfterTheLastAttempt_AndRetryDeliversThemOnce()
    {
        await using var service = environment.StartCommunications(null, ("Publication:MaxAttempts", "3"), ("Publication:BaseDelay", "00:00:00.05"));
        Sandbox.FailureRate = 1;
        var name = await PublishAsync(service, ServiceEnvironment.Schools[0], ServiceEnvironment.Schools[1]);

        var failed = await DeliveriesWhenAsync(service, name, d => d.State == DeliveryState.Failed);
        Assert.All(failed, d => Assert.Equal((3, "503"), (d.Attempts, d.LastError)));

        Sandbox.FailureRate = 0;
        await service.Client.RetryCommunicationDeliveriesAsync(new RetryCommunicationDeliveriesRequest { Name = name }, Cea);
        await DeliveriesWhenAsync(service, name, d => d.State == DeliveryState.Delivered);
        Assert.All(ServiceEnvironment.Schools[..2], s => Assert.Single(environment.Board.Of(s[4..].ToUpperInvariant()), n => n.Id.StartsWith(name["communications/".Length..], StringComparison.Ordinal)));
    }

    [Fact]
    public async Task APushTheEntRefuses_FailsAtOnce_WithTheReason()
    {
        await using var service = environment.StartCommunications(null, ("Ent:Secret", "not-the-shared-secret"));
        Sandbox.FailureRate = 0;
        var name = await PublishAsync(service, ServiceEnvironment.Schools[2]);

        var failed = Assert.Single(await DeliveriesWhenAsync(service, name, d => d.State == DeliveryState.Failed));

        Assert.Equal(1, failed.Attempts);
        Assert.StartsWith("401", failed.LastError, StringComparison.Ordinal);
        Assert.Contains("X-Ent-Signature", failed.LastError, StringComparison.Ordinal);
    }
}
