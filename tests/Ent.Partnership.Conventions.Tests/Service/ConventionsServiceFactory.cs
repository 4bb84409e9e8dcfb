extern alias parties;

using Ent.Partnership.Conventions.V1;
using Ent.Partnership.Dapr;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Storage;
using Ent.Partnership.Tests.Support;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Ent.Partnership.Conventions.Tests.Service;

/// <summary>
/// The conventions service in memory, calling the parties service in memory (with the Grand Est reference
/// parties), over one real redis-server, on a clock the tests move.
/// </summary>
public class ConventionsServiceFactory : WebApplicationFactory<Grpc.ConventionsService>, IAsyncLifetime
{
    public const string SigningKey = TestSecrets.SigningKey;

    private readonly RedisServer _redis = new();
    private readonly PartiesHost<parties::Ent.Partnership.Parties.Grpc.PartiesService> _parties;

    public ConventionsServiceFactory() => _parties = new(_redis.ConnectionString, referenceParties: true);

    /// <summary>The time both services see; starts on 28 November 2026 in Paris.</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));

    /// <summary>The events the conventions service published, in order.</summary>
    public virtual async Task<IReadOnlyList<ReceivedEvent>> PublishedEventsAsync() =>
        (await _redis.Connection.GetDatabase().StreamRangeAsync("conventions:events"))
            .Select(entry => new ReceivedEvent(entry.Id!, EventFormat.Parse(entry["event"]!)))
            .ToList();

    public V1.Conventions.ConventionsClient Grpc { get; private set; } = null!;

    public Metadata As(string? party, string role) => new()
    {
        { "authorization", "Bearer " + new InternalToken(SigningKey, TimeProvider.System).IssueForPartner("test", party, [role]) },
    };

    public Metadata Admin => As(null, RoleNames.Admin);

    public static Convention Draft(string effectiveDate) => new()
    {
        Title = "Convention de test",
        EffectiveDate = effectiveDate,
        Signatories =
        {
            new Signatory { Party = "parties/aca-reims", Role = Signatory.Types.Role.AcademicAuthority },
            new Signatory { Party = "parties/dep-51", Role = Signatory.Types.Role.Collectivity, RequiresDeliberation = true },
        },
    };

    /// <summary>A convention created, submitted and deliberated by the Marne: it waits for its two signatures.</summary>
    public async Task<Convention> InSignatureAsync(string id, string effectiveDate)
    {
        await Grpc.CreateConventionAsync(new CreateConventionRequest { ConventionId = id, Convention = Draft(effectiveDate) }, Admin);
        await Grpc.SubmitConventionAsync(new SubmitConventionRequest { Name = "conventions/" + id }, Admin);
        await Grpc.CreateDeliberationAsync(new CreateDeliberationRequest
        {
            Parent = "conventions/" + id,
            Deliberation = new Deliberation { Stage = Deliberation.Types.Stage.Decision, Body = "Commission Permanente", Reference = "CP/2026/1", Date = "2026-11-20", Outcome = Deliberation.Types.Outcome.Adopted },
        }, As("parties/dep-51", RoleNames.Collectivity));
        return await Grpc.GetConventionAsync(new GetConventionRequest { Name = "conventions/" + id }, Admin);
    }

    public Task<Signature> SignAsync(string id, string party, string role) =>
        Grpc.CreateSignatureAsync(new CreateSignatureRequest
        {
            Parent = "conventions/" + id,
            Signature = new Signature { SignatoryName = "Signataire", SignedOn = "2026-11-27" },
        }, As(party, role)).ResponseAsync;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ConfigureStorage(builder);
        builder.UseSetting("InternalToken:SigningKey", SigningKey);
        builder.UseSetting("Seed:Conventions", "false");
        builder.UseSetting("Clock:Interval", "01:00:00");
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Time);
            _parties.Serve(services);
        });
    }

    /// <summary>Where the conventions service keeps its documents: the redis-server the parties service uses too.</summary>
    protected virtual void ConfigureStorage(IWebHostBuilder builder) => builder.UseSetting("ConnectionStrings:redis", _redis.ConnectionString);

    protected virtual Task StartStorageAsync() => Task.CompletedTask;

    protected virtual Task StopStorageAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        await StartStorageAsync();
        await _parties.WaitForReferenceDataAsync();
        Grpc = new V1.Conventions.ConventionsClient(GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions { HttpHandler = Server.CreateHandler() }));
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await _parties.DisposeAsync();
        await StopStorageAsync();
        await _redis.DisposeAsync();
    }
}

/// <summary>
/// The conventions service with <c>Storage:Mode=Dapr</c>: its documents and events go through the Dapr
/// state API and outbox, to the sidecar stand-in (the parties service stays on Redis).
/// </summary>
public sealed class DaprConventionsServiceFactory : ConventionsServiceFactory
{
    private readonly DaprSidecar _sidecar = new();

    public override async Task<IReadOnlyList<ReceivedEvent>> PublishedEventsAsync() =>
        (await _sidecar.PublishedAsync(DaprSidecar.OutboxTopic)).Select(DaprEventDelivery.EventIn).OfType<ReceivedEvent>().ToList();

    protected override void ConfigureStorage(IWebHostBuilder builder) => _sidecar.ConfigureService(builder);

    protected override Task StartStorageAsync() => _sidecar.InitializeAsync();

    protected override Task StopStorageAsync() => _sidecar.DisposeAsync();
}
