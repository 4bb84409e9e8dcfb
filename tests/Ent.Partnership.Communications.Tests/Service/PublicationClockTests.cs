extern alias sandbox;

using Ent.Partnership.Common.V1;
using Ent.Partnership.Communications.Publication;
using Ent.Partnership.Communications.V1;
using Ent.Partnership.ServiceDefaults.Identity;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SandboxSettings = sandbox::Ent.Partnership.EntSandbox.SandboxSettings;
using State = Ent.Partnership.Communications.V1.Communication.Types.State;

namespace Ent.Partnership.Communications.Tests.Service;

/// <summary>Publication times and expiry, on a clock the tests move; each pass of the publisher is run by the test.</summary>
public sealed class PublicationClockTests : IClassFixture<ServiceEnvironment>, IAsyncLifetime
{
    private static readonly global::Grpc.Core.Metadata Cea = TestKeys.As("parties/cea", RoleNames.Collectivity);
    private static readonly global::Grpc.Core.Metadata Strasbourg = TestKeys.As("parties/aca-strasbourg", RoleNames.Academic);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly CommunicationsFactory _service;

    public PublicationClockTests(ServiceEnvironment environment)
    {
        // The ENT's clock does not move with the test's: let it accept the pushes of a day ahead.
        environment.Sandbox.Services.GetRequiredService<SandboxSettings>().MaxSkewSeconds = 3 * 86_400;
        _service = environment.StartCommunications(_time);
    }

    public Task InitializeAsync() => _service.KeepSampleConventionAsync();

    public async Task DisposeAsync() => await _service.DisposeAsync();

    private V1.Communications.CommunicationsClient Client => _service.Client;

    private Task TickAsync() => _service.Services.GetRequiredService<Publications>().TickAsync(CancellationToken.None);

    private async Task<State> StateOfAsync(string name) => (await Client.GetCommunicationAsync(new GetCommunicationRequest { Name = name }, Cea)).State;

    private async Task<string> SubmitAsync(TimeSpan? publishIn, TimeSpan expireIn, string school)
    {
        var message = await Client.CreateCommunicationAsync(new CreateCommunicationRequest
        {
            Communication = new Communication
            {
                Title = "Travaux",
                Body = "Le réfectoire ferme pour travaux.",
                Category = Category.Transport,
                Audiences = { Audience.Parents },
                Targets = new Targets { Schools = { "parties/" + school } },
                PublishTime = publishIn is { } delay ? Timestamp.FromDateTimeOffset(_time.GetUtcNow() + delay) : null,
                ExpireTime = Timestamp.FromDateTimeOffset(_time.GetUtcNow() + expireIn),
            },
        }, Cea);
        await Client.SubmitCommunicationAsync(new SubmitCommunicationRequest { Name = message.Name }, Cea);
        return message.Name;
    }

    [Fact]
    public async Task AnApprovedMessage_WaitsForItsPublishTime()
    {
        var name = await SubmitAsync(publishIn: TimeSpan.FromHours(2), expireIn: TimeSpan.FromDays(5), ServiceEnvironment.Schools[0]);
        await Client.ApproveCommunicationAsync(new ApproveCommunicationRequest { Name = name }, Strasbourg);

        _time.Advance(TimeSpan.FromHours(1));
        await TickAsync();
        Assert.Equal(State.Approved, await StateOfAsync(name));

        _time.Advance(TimeSpan.FromHours(1));
        await TickAsync();
        Assert.Equal(State.Published, await StateOfAsync(name));
        await Wait.UntilAsync(async () => (await Client.GetCommunicationAsync(new GetCommunicationRequest { Name = name }, Cea)).DeliverySummary?.Delivered == 1);
    }

    [Fact]
    public async Task AMessageStillAwaitingReview_ExpiresAfterItsExpiry()
    {
        var name = await SubmitAsync(publishIn: null, expireIn: TimeSpan.FromDays(1), ServiceEnvironment.Schools[1]);

        _time.Advance(TimeSpan.FromHours(23));
        await TickAsync();
        Assert.Equal(State.PendingValidation, await StateOfAsync(name));

        _time.Advance(TimeSpan.FromHours(1));
        await TickAsync();
        Assert.Equal(State.Expired, await StateOfAsync(name));
        var approval = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(async () => await Client.ApproveCommunicationAsync(new ApproveCommunicationRequest { Name = name }, Strasbourg));
        Assert.Equal(global::Grpc.Core.StatusCode.FailedPrecondition, approval.StatusCode);
    }
}
