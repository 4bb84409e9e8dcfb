extern alias parties;
extern alias sandbox;

using System.Net.Http.Json;
using Ent.Partnership.Common.V1;
using Ent.Partnership.Communications.Publication;
using Ent.Partnership.Communications.Storage;
using Ent.Partnership.Communications.V1;
using Ent.Partnership.Conventions.V1;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Tests.Support;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.ClientFactory;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NewsBoard = sandbox::Ent.Partnership.EntSandbox.NewsBoard;
using SandboxSettings = sandbox::Ent.Partnership.EntSandbox.SandboxSettings;

namespace Ent.Partnership.Communications.Tests.Service;

/// <summary>
/// The communications service in memory, over a real redis-server, with the parties service and the ENT
/// sandbox in memory beside it; stopped in the middle of a publication and started again.
/// </summary>
public sealed class PublicationRestartTests : IAsyncLifetime
{
    private const string SigningKey = "in-memory-tests-signing-key-of-at-least-32-bytes";
    private const string Secret = "in-memory-tests-ent-secret";

    private static readonly string[] Schools = ["uai-0671001z", "uai-0671002a", "uai-0671003b"];

    private readonly RedisServer _redis = new();
    private PartiesFactory _parties = null!;
    private SandboxFactory _sandbox = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _parties = new PartiesFactory(_redis);
        _sandbox = new SandboxFactory();
        await _parties.WaitForReferenceDataAsync();
        foreach (var (school, i) in Schools.Select((s, i) => (s, i)))
        {
            var response = await _parties.Admin.PostAsJsonAsync($"/v1/parties?partyId={school}", new
            {
                kind = "SCHOOL", displayName = $"Collège {i}", uai = school[4..].ToUpperInvariant(), schoolType = "COLLEGE", sector = "PUBLIC",
                academy = "parties/aca-strasbourg", competentAuthority = "parties/cea",
            });
            response.EnsureSuccessStatusCode();
        }
    }

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        await _parties.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task PushesInFlightWhenTheServiceStops_AreMadeAgainAfterItStarts_AndReachEachSchoolOnce()
    {
        var board = _sandbox.Services.GetRequiredService<NewsBoard>();
        _sandbox.Services.GetRequiredService<SandboxSettings>().LatencyMs = 1500;
        string name;
        await using (var first = new CommunicationsFactory(_redis, _parties, _sandbox))
        {
            await first.KeepSampleConventionAsync();
            var message = await first.Client.CreateCommunicationAsync(new CreateCommunicationRequest { Communication = Notice() }, first.As("parties/cea", RoleNames.Collectivity));
            name = message.Name;
            await first.Client.SubmitCommunicationAsync(new SubmitCommunicationRequest { Name = name }, first.As("parties/cea", RoleNames.Collectivity));
            await first.Client.ApproveCommunicationAsync(new ApproveCommunicationRequest { Name = name }, first.As("parties/aca-strasbourg", RoleNames.Academic));

            // Every push has reached the ENT, which is still working on it: the service stops now.
            await WaitUntilAsync(() => board.Counts.Pushes == Schools.Length);
        }

        await WaitUntilAsync(() => board.Counts.Stored == Schools.Length);
        await using var second = new CommunicationsFactory(_redis, _parties, _sandbox);
        var admin = second.As(null, RoleNames.Admin);
        await WaitUntilAsync(async () => (await second.Client.GetCommunicationAsync(new GetCommunicationRequest { Name = name }, admin)).DeliverySummary?.Delivered == Schools.Length);

        var deliveries = (await second.Client.ListDeliveriesAsync(new ListDeliveriesRequest { Parent = name }, admin)).Deliveries;
        Assert.All(deliveries, d => Assert.Equal((Delivery.Types.State.Delivered, 2), (d.State, d.Attempts)));
        Assert.All(Schools, s => Assert.Single(board.Of(s[4..].ToUpperInvariant())));
        Assert.Equal(Schools.Length, board.Counts.Duplicates);
    }

    private static Communication Notice() => new()
    {
        Title = "Transports scolaires",
        Body = "Les horaires des cars changent lundi.",
        Category = Category.Transport,
        Audiences = { Audience.Parents },
        Targets = new Targets { Schools = { Schools.Select(s => "parties/" + s) } },
        ExpireTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(10)),
    };

    private static Task WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }

    private sealed class CommunicationsFactory(RedisServer redis, PartiesFactory parties, SandboxFactory sandbox) : WebApplicationFactory<Grpc.CommunicationsService>
    {
        public V1.Communications.CommunicationsClient Client =>
            field ??= new(GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions { HttpHandler = Server.CreateHandler() }));

        public Metadata As(string? party, string role) => new()
        {
            { "authorization", "Bearer " + new InternalToken(SigningKey, TimeProvider.System).IssueForPartner("test", party, [role]) },
        };

        /// <summary>What the conventions' events would have taught the service: a convention in force whose charter is validated.</summary>
        public async Task KeepSampleConventionAsync()
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
                },
            });
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("ConnectionStrings:redis", redis.ConnectionString);
            builder.UseSetting("InternalToken:SigningKey", SigningKey);
            builder.UseSetting("Seed:Elections", "false");
            builder.UseSetting("Seed:Messages", "false");
            builder.UseSetting("Ent:Secret", Secret);
            builder.UseSetting("Ent:BaseUrl", sandbox.Server.BaseAddress.ToString());
            builder.UseSetting("Publication:Interval", "00:00:00.1");
            builder.UseSetting("Publication:BaseDelay", "00:00:00.1");
            builder.UseSetting("Publication:Lease", "00:00:03");
            builder.ConfigureTestServices(services =>
            {
                services.AddHttpClient(nameof(EntConnector)).ConfigurePrimaryHttpMessageHandler(() => sandbox.Server.CreateHandler());
                services.AddHttpClient(nameof(parties::Ent.Partnership.Parties.V1.Parties.PartiesClient))
                    .ConfigurePrimaryHttpMessageHandler(() => parties.Server.CreateHandler());
                services.Configure<GrpcClientFactoryOptions>(nameof(parties::Ent.Partnership.Parties.V1.Parties.PartiesClient),
                    options => options.Address = parties.Server.BaseAddress);
            });
        }
    }

    private sealed class SandboxFactory : WebApplicationFactory<NewsBoard>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.UseSetting("Sandbox:Secret", Secret);
    }

    private sealed class PartiesFactory(RedisServer redis) : WebApplicationFactory<parties::Ent.Partnership.Parties.Grpc.PartiesService>
    {
        public HttpClient Admin => field ??= CreateAdminClient();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("ConnectionStrings:redis", redis.ConnectionString);
            builder.UseSetting("InternalToken:SigningKey", SigningKey);
            builder.UseSetting("Seed:Parties", "true");
            builder.UseSetting("Seed:Schools", "false");
        }

        /// <summary>The reference parties load in the background as the service starts; wait for the last one.</summary>
        public async Task WaitForReferenceDataAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (!(await Admin.GetAsync("/v1/parties/groupement-ent-grand-est/memberships?pageSize=500", timeout.Token)).IsSuccessStatusCode
                || !(await Admin.GetStringAsync("/v1/parties/groupement-ent-grand-est/memberships?pageSize=500", timeout.Token)).Contains("parties/cea", StringComparison.Ordinal))
            {
                await Task.Delay(100, timeout.Token);
            }
        }

        private HttpClient CreateAdminClient()
        {
            var client = CreateClient();
            client.DefaultRequestHeaders.Authorization = new("Bearer", new InternalToken(SigningKey, TimeProvider.System).IssueForPartner("test", null, [RoleNames.Admin]));
            return client;
        }
    }
}
