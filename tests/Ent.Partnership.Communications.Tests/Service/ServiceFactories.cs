extern alias parties;
extern alias sandbox;

using System.Net.Http.Json;
using Ent.Partnership.Common.V1;
using Ent.Partnership.Communications.Publication;
using Ent.Partnership.Communications.Storage;
using Ent.Partnership.Conventions.V1;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Tests.Support;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NewsBoard = sandbox::Ent.Partnership.EntSandbox.NewsBoard;

namespace Ent.Partnership.Communications.Tests.Service;

/// <summary>What the in-memory tests share: the signing key and the secret shared with the ENT.</summary>
public static class TestKeys
{
    public const string SigningKey = TestSecrets.SigningKey;
    public const string EntSecret = "in-memory-tests-ent-secret";

    public static Metadata As(string? party, string role) => new()
    {
        { "authorization", "Bearer " + new InternalToken(SigningKey, TimeProvider.System).IssueForPartner("test", party, [role]) },
    };
}

/// <summary>
/// What the communications service works with, in memory: a real redis-server, the parties service (with the
/// reference parties and three CeA collèges of the académie de Strasbourg) and the ENT sandbox.
/// </summary>
public sealed class ServiceEnvironment : IAsyncLifetime
{
    public static readonly string[] Schools = ["uai-0671001z", "uai-0671002a", "uai-0671003b"];

    public RedisServer Redis { get; } = new();

    /// <summary>The Dapr sidecar stand-in, for the communications service in <c>Storage:Mode=Dapr</c>.</summary>
    public DaprSidecar Dapr { get; } = new();

    public PartiesHost<parties::Ent.Partnership.Parties.Grpc.PartiesService> Parties { get; private set; } = null!;

    public SandboxFactory Sandbox { get; } = new();

    public NewsBoard Board => Sandbox.Services.GetRequiredService<NewsBoard>();

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        await Dapr.InitializeAsync();
        Parties = new(Redis.ConnectionString, referenceParties: true);
        await Parties.WaitForReferenceDataAsync();
        foreach (var (school, i) in Schools.Select((s, i) => (s, i)))
        {
            var response = await Parties.Admin.PostAsJsonAsync($"/v1/parties?partyId={school}", new
            {
                kind = "SCHOOL", displayName = $"Collège {i}", uai = school[4..].ToUpperInvariant(), schoolType = "COLLEGE", sector = "PUBLIC",
                academy = "parties/aca-strasbourg", competentAuthority = "parties/cea", pupilCount = 100,
            });
            response.EnsureSuccessStatusCode();
        }
    }

    /// <summary>The communications service on this environment, on the system's clock or one the test moves, with settings of the test's.</summary>
    public CommunicationsFactory StartCommunications(TimeProvider? time = null, params (string Key, string Value)[] settings) => new(Redis, Parties, Sandbox, time, settings);

    /// <summary>The communications service keeping its documents through the Dapr state API (the stand-in).</summary>
    public CommunicationsFactory StartCommunicationsOnDapr() => StartCommunications(null, [.. Dapr.ServiceSettings]);

    public async Task DisposeAsync()
    {
        await Sandbox.DisposeAsync();
        await Parties.DisposeAsync();
        await Dapr.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

public sealed class CommunicationsFactory(
    RedisServer redis, PartiesHost<parties::Ent.Partnership.Parties.Grpc.PartiesService> parties, SandboxFactory sandbox, TimeProvider? time, IReadOnlyList<(string Key, string Value)> settings)
    : WebApplicationFactory<Grpc.CommunicationsService>
{
    public V1.Communications.CommunicationsClient Client =>
        field ??= new(GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions { HttpHandler = Server.CreateHandler() }));

    /// <summary>What the conventions' events would have taught the service: a convention in force whose charter is validated.</summary>
    public async Task KeepSampleConventionAsync(params Category[] urgentCategories)
    {
        var repository = Services.GetRequiredService<CommunicationRepository>();
        await repository.KeepConventionAsync(new Convention
        {
            Name = "conventions/test",
            State = Convention.Types.State.InForce,
            Revision = 1,
            Signatories = { new Signatory { Party = "parties/dep-67", Role = Signatory.Types.Role.Collectivity } },
            Articles =
            {
                new Article
                {
                    Number = "9",
                    Clauses = { new Clause { CommunicationRight = new CommunicationRightClause { ClauseId = "art9", BeneficiaryRole = Signatory.Types.Role.Collectivity, CharterAnnexId = "annexe-1" } } },
                },
            },
        });
        await repository.KeepCharterAsync(new CharterValidated
        {
            Convention = "conventions/test",
            Revision = 1,
            AnnexId = "annexe-1",
            ValidatedOn = "2019-09-16",
            Charter = new UsageCharter
            {
                AllowedAudiences = { Audience.Parents },
                AllowedCategories = { Category.Transport },
                MaxTitleLength = 120,
                MaxBodyLength = 4000,
                MaxMessagesPerSchoolPer30Days = 10,
                MaxValidityDays = 60,
                UrgentCategories = { urgentCategories },
            },
        });
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:redis", redis.ConnectionString);
        builder.UseSetting("InternalToken:SigningKey", TestKeys.SigningKey);
        builder.UseSetting("Seed:Elections", "false");
        builder.UseSetting("Seed:Messages", "false");
        builder.UseSetting("Ent:Secret", TestKeys.EntSecret);
        builder.UseSetting("Ent:BaseUrl", sandbox.Server.BaseAddress.ToString());
        builder.UseSetting("Publication:Interval", "00:00:00.1");
        builder.UseSetting("Publication:BaseDelay", "00:00:00.1");
        builder.UseSetting("Publication:Lease", "00:00:03");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            if (time is not null)
            {
                services.AddSingleton(time);
            }

            services.AddHttpClient(nameof(EntConnector)).ConfigurePrimaryHttpMessageHandler(() => sandbox.Server.CreateHandler());
            parties.Serve(services);
        });
    }
}

public sealed class SandboxFactory : WebApplicationFactory<NewsBoard>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.UseSetting("Sandbox:Secret", TestKeys.EntSecret);
}
