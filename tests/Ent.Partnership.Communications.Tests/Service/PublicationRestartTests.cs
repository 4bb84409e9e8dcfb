extern alias sandbox;

using Ent.Partnership.Common.V1;
using Ent.Partnership.Communications.V1;
using Ent.Partnership.ServiceDefaults.Identity;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using SandboxSettings = sandbox::Ent.Partnership.EntSandbox.SandboxSettings;

namespace Ent.Partnership.Communications.Tests.Service;

public sealed class PublicationRestartTests(ServiceEnvironment environment) : PublicationRestartContract(environment), IClassFixture<ServiceEnvironment>
{
    protected override CommunicationsFactory StartCommunications() => Environment.StartCommunications();
}

/// <summary>The same, with the service's documents, leases and deliveries kept through the Dapr state API.</summary>
public sealed class PublicationRestartOnDaprTests(ServiceEnvironment environment) : PublicationRestartContract(environment), IClassFixture<ServiceEnvironment>
{
    protected override CommunicationsFactory StartCommunications() => Environment.StartCommunicationsOnDapr();
}

/// <summary>
/// The communications service in memory, over a real redis-server, with the parties service and the ENT
/// sandbox in memory beside it; stopped in the middle of a publication and started again.
/// </summary>
public abstract class PublicationRestartContract(ServiceEnvironment environment)
{
    protected ServiceEnvironment Environment { get; } = environment;

    protected abstract CommunicationsFactory StartCommunications();

    [Fact]
    public async Task PushesInFlightWhenTheServiceStops_AreMadeAgainAfterItStarts_AndReachEachSchoolOnce()
    {
        var board = Environment.Board;
        // The service must stop before the ENT answers (else a push is made once, not twice): 4 s leaves room
        // for a slow stop on a busy machine (with 1.5 s the test failed once, its cause unseen).
        Environment.Sandbox.Services.GetRequiredService<SandboxSettings>().LatencyMs = 4000;
        var schools = ServiceEnvironment.Schools;
        string name;
        await using (var first = StartCommunications())
        {
            await first.KeepSampleConventionAsync();
            var message = await first.Client.CreateCommunicationAsync(new CreateCommunicationRequest { Communication = Notice() }, TestKeys.As("parties/cea", RoleNames.Collectivity));
            name = message.Name;
            await first.Client.SubmitCommunicationAsync(new SubmitCommunicationRequest { Name = name }, TestKeys.As("parties/cea", RoleNames.Collectivity));
            await first.Client.ApproveCommunicationAsync(new ApproveCommunicationRequest { Name = name }, TestKeys.As("parties/aca-strasbourg", RoleNames.Academic));

            // Every push has reached the ENT, which is still working on it: the service stops now.
            await Wait.UntilAsync(() => board.Counts.Pushes == schools.Length);
        }

        await Wait.UntilAsync(() => board.Counts.Stored == schools.Length);
        await using var second = StartCommunications();
        var admin = TestKeys.As(null, RoleNames.Admin);
        await Wait.UntilAsync(async () => (await second.Client.GetCommunicationAsync(new GetCommunicationRequest { Name = name }, admin)).DeliverySummary?.Delivered == schools.Length);

        var deliveries = (await second.Client.ListDeliveriesAsync(new ListDeliveriesRequest { Parent = name }, admin)).Deliveries;
        Assert.All(deliveries, d => Assert.Equal((Delivery.Types.State.Delivered, 2), (d.State, d.Attempts)));
        Assert.All(schools, s => Assert.Single(board.Of(s[4..].ToUpperInvariant())));
        Assert.Equal(schools.Length, board.Counts.Duplicates);
    }

    private static Communication Notice() => new()
    {
        Title = "Transports scolaires",
        Body = "Les horaires des cars changent lundi.",
        Category = Category.Transport,
        Audiences = { Audience.Parents },
        Targets = new Targets { Schools = { ServiceEnvironment.Schools.Select(s => "parties/" + s) } },
        ExpireTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(10)),
    };
}

/// <summary>Waits for a condition, a minute at most.</summary>
public static class Wait
{
    public static Task UntilAsync(Func<bool> condition) => UntilAsync(() => Task.FromResult(condition()));

    public static async Task UntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
