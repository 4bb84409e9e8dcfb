extern alias client;

using System.Globalization;
using client::Ent.Partnership.Parties.Client;
using Ent.Partnership.Parties.V1;
using Ent.Partnership.Redis;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using static Ent.Partnership.Parties.V1.Party.Types;
using DirectoryClient = client::Ent.Partnership.Parties.V1.Parties.PartiesClient;

namespace Ent.Partnership.Parties.Tests.Service;

public sealed class SuccessionAndCompetenceTests(PartiesServiceFactory service) : SuccessionAndCompetenceContract(service), IClassFixture<PartiesServiceFactory>
{
    private readonly PartiesServiceFactory _service = service;

    [Fact]
    public async Task TheDirectory_KeepsAnAnswer_UntilThePartiesStreamSaysItChanged()
    {
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(_service.Redis.ConnectionString);
        var channel = GrpcChannel.ForAddress(_service.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = _service.Server.CreateHandler() });
        var calls = channel.Intercept(metadata =>
        {
            metadata.Add("authorization", "Bearer " + _service.AdminToken);
            return metadata;
        });
        var directory = new PartiesDirectory(new DirectoryClient(calls), TimeProvider.System);
        using var watch = new StreamWatch(redis, PartiesDirectory.Stream, directory);
        await watch.StartAsync(CancellationToken.None);
        await _service.Grpc.CreatePartyAsync(
            new CreatePartyRequest { PartyId = "dep-watched", Party = new Party { Kind = Kind.Department, DisplayName = "Avant", InseeCode = "91" } }, _service.As(_service.AdminToken));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        // The creation's own notice may come after the first read: kept once the notices are all heard.
        var kept = await directory.FindAsync("parties/dep-watched");
        while (!ReferenceEquals(kept, kept = await directory.FindAsync("parties/dep-watched")))
        {
            await Task.Delay(20, timeout.Token);
        }

        await _service.Grpc.UpdatePartyAsync(new UpdatePartyRequest
        {
            Party = new Party { Name = "parties/dep-watched", DisplayName = "Après" },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "display_name" } },
        }, _service.As(_service.AdminToken));

        Assert.Equal("Avant", kept!.DisplayName);
        while ((await directory.FindAsync("parties/dep-watched"))!.DisplayName != "Après")
        {
            // Well within the minute an answer is kept without notice.
            await Task.Delay(20, timeout.Token);
        }

        await watch.StopAsync(CancellationToken.None);
    }
}

public sealed class SuccessionAndCompetenceOnDaprTests(DaprPartiesServiceFactory service) : SuccessionAndCompetenceContract(service), IClassFixture<DaprPartiesServiceFactory>;

/// <summary>
/// Who holds a party's rights and which schools a collectivity is competent for, as the other services ask
/// the parties service: a chain of two successions (A → B on 2021-01-01, B → C on 2024-01-01), a school
/// first under A and a school of B's closed on 2022-06-30.
/// </summary>
public abstract class SuccessionAndCompetenceContract(PartiesServiceFactory service) : IAsyncLifetime
{
    private const string A = "parties/dep-chain-a";
    private const string B = "parties/dep-chain-b";
    private const string C = "parties/dep-chain-c";
    private const string FirstSchool = "parties/uai-0579301a";
    private const string ClosedSchool = "parties/uai-0579302b";

    public async Task InitializeAsync()
    {
        await CreateAsync("dep-chain-a", new Party { Kind = Kind.Department, DisplayName = "A", InseeCode = "92" });
        await CreateAsync("dep-chain-b", new Party { Kind = Kind.Department, DisplayName = "B", InseeCode = "93" });
        await CreateAsync("dep-chain-c", new Party { Kind = Kind.SpecialCollectivity, DisplayName = "C" });
        await CreateAsync("", PartiesGrpcContract.School(579301, A));
        var closed = PartiesGrpcContract.School(579302, B);
        closed.ValidTo = "2022-06-30";
        await CreateAsync("", closed);
        await service.Grpc.SucceedPartyAsync(new SucceedPartyRequest { Name = A, Successor = B, EffectiveDate = "2021-01-01" }, service.As(service.AdminToken));
        await service.Grpc.SucceedPartyAsync(new SucceedPartyRequest { Name = B, Successor = C, EffectiveDate = "2024-01-01" }, service.As(service.AdminToken));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData(A, "2020-12-31", A)]
    [InlineData(A, "2021-01-01", B)]
    [InlineData(A, "2023-12-31", B)]
    [InlineData(A, "2024-01-01", C)]
    [InlineData(B, "2021-01-01", B)]
    [InlineData(B, "2024-06-01", C)]
    [InlineData(C, "2030-01-01", C)]
    [InlineData("parties/dep-57", "2024-01-01", "parties/dep-57")]
    public async Task ResolveSuccession_NamesWhoHoldsThePartysRights_OnTheDay(string party, string date, string holder)
    {
        var succession = await service.Grpc.ResolveSuccessionAsync(new ResolveSuccessionRequest { Name = party, Date = date }, service.As(service.CollectivityToken));

        Assert.Equal((party, date, holder), (succession.Party, succession.Date, succession.Holder));
        // The other services read the answer for other days the same way.
        var read = client::Ent.Partnership.Parties.V1.Succession.Parser.ParseFrom(succession.ToByteArray());
        Assert.Equal(holder, read.HolderOn(DateOnly.Parse(date, CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task ResolveSuccession_ListsEverySuccessionFromTheParty_OldestFirst()
    {
        var fromA = await service.Grpc.ResolveSuccessionAsync(new ResolveSuccessionRequest { Name = A }, service.As(service.CollectivityToken));
        var fromC = await service.Grpc.ResolveSuccessionAsync(new ResolveSuccessionRequest { Name = C }, service.As(service.CollectivityToken));

        Assert.Equal([(A, B, "2021-01-01"), (B, C, "2024-01-01")], fromA.Steps.Select(s => (s.Predecessor, s.Successor, s.EffectiveDate)));
        Assert.Equal(C, fromA.Holder);
        Assert.Empty(fromC.Steps);
    }

    [Theory]
    [InlineData(A, "2020-06-01", "", new[] { FirstSchool })]
    [InlineData(A, "2021-01-01", "", new string[0])]
    [InlineData(B, "2020-06-01", "", new[] { ClosedSchool })]
    [InlineData(B, "2021-01-01", "", new[] { FirstSchool, ClosedSchool })]
    [InlineData(B, "2023-01-01", "", new[] { FirstSchool })]
    [InlineData(B, "2020-09-01", "2021-08-31", new[] { FirstSchool, ClosedSchool })]
    [InlineData(C, "2024-01-01", "", new[] { FirstSchool })]
    [InlineData(C, "2020-09-01", "2023-12-31", new string[0])]
    public async Task ListSchoolsUnderCompetence_KeepsTheOpenSchools_OfTheCollectivity_OnADayOfTheSpan(
        string authority, string start, string end, string[] schools)
    {
        var answer = await service.Grpc.ListSchoolsUnderCompetenceAsync(
            new ListSchoolsUnderCompetenceRequest { Authority = authority, StartDate = start, EndDate = end }, service.As(service.CollectivityToken));

        Assert.Equal(schools.Order(StringComparer.Ordinal), answer.Schools.Select(s => s.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ListSchoolsUnderCompetence_AnswersAPageAtATime_ItsTokenBoundToTheQuestion()
    {
        var request = new ListSchoolsUnderCompetenceRequest { Authority = B, StartDate = "2021-01-01", PageSize = 1 };
        var first = await service.Grpc.ListSchoolsUnderCompetenceAsync(request, service.As(service.CollectivityToken));
        request.PageToken = first.NextPageToken;
        var second = await service.Grpc.ListSchoolsUnderCompetenceAsync(request, service.As(service.CollectivityToken));
        var elsewhere = await Assert.ThrowsAsync<RpcException>(() => service.Grpc.ListSchoolsUnderCompetenceAsync(
            new ListSchoolsUnderCompetenceRequest { Authority = C, StartDate = "2024-01-01", PageSize = 1, PageToken = first.NextPageToken },
            service.As(service.CollectivityToken)).ResponseAsync);

        Assert.Equal([FirstSchool, ClosedSchool], first.Schools.Concat(second.Schools).Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.Equal((1, ""), (second.Schools.Count, second.NextPageToken));
        Assert.Equal((StatusCode.InvalidArgument, "pageToken"), (elsewhere.StatusCode, FieldOf(elsewhere)));
    }

    [Fact]
    public async Task TheLookups_RefuseBadInput_NamingTheField()
    {
        var unknown = await Assert.ThrowsAsync<RpcException>(() => service.Grpc.ResolveSuccessionAsync(
            new ResolveSuccessionRequest { Name = "parties/nobody" }, service.As(service.CollectivityToken)).ResponseAsync);
        var badDate = await Assert.ThrowsAsync<RpcException>(() => service.Grpc.ResolveSuccessionAsync(
            new ResolveSuccessionRequest { Name = A, Date = "31/12/2020" }, service.As(service.CollectivityToken)).ResponseAsync);
        var backwards = await Assert.ThrowsAsync<RpcException>(() => service.Grpc.ListSchoolsUnderCompetenceAsync(
            new ListSchoolsUnderCompetenceRequest { Authority = B, StartDate = "2022-01-01", EndDate = "2021-01-01" }, service.As(service.CollectivityToken)).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal((StatusCode.InvalidArgument, "date"), (badDate.StatusCode, FieldOf(badDate)));
        Assert.Equal((StatusCode.InvalidArgument, "endDate"), (backwards.StatusCode, FieldOf(backwards)));
    }

    private static string FieldOf(RpcException error) =>
        Assert.Single(error.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations).Field;

    private async Task CreateAsync(string id, Party party) =>
        await service.Grpc.CreatePartyAsync(new CreatePartyRequest { PartyId = id, Party = party, RequestId = $"setup-{id}{party.Uai}" }, service.As(service.AdminToken));
}
