using Ent.Partnership.Dapr;
using Ent.Partnership.Parties.Domain;
using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Storage;
using Ent.Partnership.Tests.Support;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static Ent.Partnership.Parties.V1.Party.Types;

namespace Ent.Partnership.Parties.Tests.Service;

public sealed class PartiesGrpcTests(PartiesServiceFactory service) : PartiesGrpcContract(service), IClassFixture<PartiesServiceFactory>;

/// <summary>The same behaviour with the service's storage on the Dapr path (the sidecar stand-in).</summary>
public sealed class PartiesGrpcOnDaprTests(DaprPartiesServiceFactory service) : PartiesGrpcContract(service), IClassFixture<DaprPartiesServiceFactory>
{
    [Fact]
    public async Task APartyCreated_IsKeptInTheStateStore_AndItsEventPublishedByTheOutbox()
    {
        var created = await service.Grpc.CreatePartyAsync(new CreatePartyRequest { Party = School(579099) }, service.As(service.AdminToken));

        var stored = service.Sidecar.Redis.GetServer(service.Sidecar.Redis.GetEndPoints()[0]).Keys(pattern: "dapr:state:statestore:parties:doc:*uai-0579099*");
        Assert.Single(stored);
        var events = (await service.Sidecar.PublishedAsync(DaprSidecar.OutboxTopic)).Select(DaprEventDelivery.EventIn).OfType<ReceivedEvent>();
        var published = Assert.Single(events, e => e.Subject == created.Name);
        Assert.Equal("ent.partnership.parties.v1.PartyCreated", published.Type);
    }
}

/// <summary>The parties service's gRPC behaviour, whichever storage adapter it runs on.</summary>
public abstract class PartiesGrpcContract(PartiesServiceFactory service)
{
    internal static Party School(int number, string authority = "parties/dep-57") => new()
    {
        Kind = Kind.School,
        DisplayName = "Collège " + number,
        Uai = $"0{number}{Uai.CheckLetter(number)}",
        SchoolType = SchoolType.College,
        Sector = Sector.Public,
        Academy = "parties/aca-nancy-metz",
        CompetentAuthority = authority,
    };

    [Fact]
    public async Task CreateParty_StoresTheSchool_WithItsCompetence()
    {
        var created = await service.Grpc.CreatePartyAsync(new CreatePartyRequest { Party = School(579001) }, service.As(service.AdminToken));

        var read = await service.Grpc.GetPartyAsync(new GetPartyRequest { Name = created.Name }, service.As(service.CollectivityToken));
        Assert.Equal("parties/uai-0579001z", read.Name);
        Assert.Equal("parties/dep-57", read.CompetentAuthority);
        Assert.Equal("v1", read.Etag);
        Assert.NotNull(read.CreateTime);
    }

    [Fact]
    public async Task CreateParty_IsRefused_WithoutAToken()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => service.Grpc.CreatePartyAsync(new CreatePartyRequest { Party = School(579002) }).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task AServicesOwnIdentity_CallsOnlyTheOperationsListedForIt()
    {
        var read = await service.Grpc.GetPartyAsync(new GetPartyRequest { Name = "parties/dep-57" }, service.As(PartiesServiceFactory.ServiceToken("communications")));
        var write = await Assert.ThrowsAsync<RpcException>(() => service.Grpc.CreatePartyAsync(
            new CreatePartyRequest { Party = School(579003) }, service.As(PartiesServiceFactory.ServiceToken("communications"))).ResponseAsync);
        var unlisted = await Assert.ThrowsAsync<RpcException>(() => service.Grpc.GetPartyAsync(
            new GetPartyRequest { Name = "parties/dep-57" }, service.As(PartiesServiceFactory.ServiceToken("gateway"))).ResponseAsync);

        Assert.Equal("Moselle", read.DisplayName);
        Assert.Equal(StatusCode.PermissionDenied, write.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, unlisted.StatusCode);
    }

    [Fact]
    public async Task AServicesToken_ClaimingAnAdminsRoleAndAParty_IsThatServiceOnly()
    {
        var claiming = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = InternalToken.Issuer,
            Audience = InternalToken.Audience,
            Expires = DateTime.UtcNow.AddMinutes(1),
            Claims = new Dictionary<string, object>
            {
                [InternalToken.ServiceClaim] = "communications",
                [InternalToken.RoleClaim] = new[] { RoleNames.Admin, RoleNames.Collectivity },
                [InternalToken.PartyClaim] = "parties/dep-57",
            },
            SigningCredentials = new SigningCredentials(new InternalToken(PartiesServiceFactory.SigningKey, TimeProvider.System).SigningKey, SecurityAlgorithms.HmacSha256),
        });

        var error = await Assert.ThrowsAsync<RpcException>(() => service.Grpc.CreatePartyAsync(
            new CreatePartyRequest { Party = School(579004) }, service.As(claiming)).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task CreateParty_IsRefused_ToACollectivity()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            service.Grpc.CreatePartyAsync(new CreatePartyRequest { Party = School(579003) }, service.As(service.CollectivityToken)).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task CreateParty_NamesEveryBadField()
    {
        var party = School(579004);
        party.Uai = "0579004A";
        party.CompetentAuthority = "parties/region-grand-est";

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            service.Grpc.CreatePartyAsync(new CreatePartyRequest { Party = party }, service.As(service.AdminToken)).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var fields = error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field);
        Assert.Equal(["uai", "competentAuthority"], fields);
    }

    [Fact]
    public async Task CreateParty_WithTheSameRequestId_CreatesOnce()
    {
        var first = await service.Grpc.CreatePartyAsync(new CreatePartyRequest { Party = School(579005), RequestId = "retry-579005" }, service.As(service.AdminToken));
        var again = await service.Grpc.CreatePartyAsync(
            new CreatePartyRequest { Party = School(579005), PartyId = "another-id", RequestId = "retry-579005" }, service.As(service.AdminToken));

        Assert.Equal(first.Name, again.Name);
        var missing = await Assert.ThrowsAsync<RpcException>(() =>
            service.Grpc.GetPartyAsync(new GetPartyRequest { Name = "parties/another-id" }, service.As(service.AdminToken)).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task CreateParty_IsRefused_ForATakenUai()
    {
        await service.Grpc.CreatePartyAsync(new CreatePartyRequest { Party = School(579006) }, service.As(service.AdminToken));

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            service.Grpc.CreatePartyAsync(new CreatePartyRequest { Party = School(579006), PartyId = "same-uai" }, service.As(service.AdminToken)).ResponseAsync);

        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
    }

    [Fact]
    public async Task UpdateParty_IsRefused_WithAStaleEtag_AndAppliesTheMaskOtherwise()
    {
        var created = await service.Grpc.CreatePartyAsync(new CreatePartyRequest { Party = School(579007) }, service.As(service.AdminToken));
        var mask = new FieldMask { Paths = { "display_name", "pupil_count" } };

        var updated = await service.Grpc.UpdatePartyAsync(new UpdatePartyRequest
        {
            Party = new Party { Name = created.Name, DisplayName = "Collège Verlaine", PupilCount = 512, Commune = "ignored", Etag = created.Etag },
            UpdateMask = mask,
        }, service.As(service.AdminToken));
        var stale = await Assert.ThrowsAsync<RpcException>(() => service.Grpc.UpdatePartyAsync(new UpdatePartyRequest
        {
            Party = new Party { Name = created.Name, DisplayName = "Too late", Etag = created.Etag },
            UpdateMask = mask,
        }, service.As(service.AdminToken)).ResponseAsync);

        Assert.Equal(("Collège Verlaine", 512, "", "v2"), (updated.DisplayName, updated.PupilCount, updated.Commune, updated.Etag));
        Assert.Equal(StatusCode.Aborted, stale.StatusCode);
    }

    [Fact]
    public async Task UpdateParty_IsRefused_ForTheKind()
    {
        var created = await service.Grpc.CreatePartyAsync(new CreatePartyRequest { Party = School(579008) }, service.As(service.AdminToken));

        var error = await Assert.ThrowsAsync<RpcException>(() => service.Grpc.UpdatePartyAsync(new UpdatePartyRequest
        {
            Party = new Party { Name = created.Name, Kind = Kind.Region },
            UpdateMask = new FieldMask { Paths = { "kind" } },
        }, service.As(service.AdminToken)).ResponseAsync);

        Assert.Equal("kind", error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Single().Field);
    }

    [Fact]
    public async Task ListParties_FiltersAndPages_WithoutLosingOrRepeating()
    {
        for (var number = 579101; number <= 579105; number++)
        {
            await service.Grpc.CreatePartyAsync(new CreatePartyRequest { Party = School(number, "parties/dep-68") }, service.As(service.AdminToken));
        }

        var names = new List<string>();
        var request = new ListPartiesRequest { Filter = "competent_authority = \"parties/dep-68\" AND kind = SCHOOL", PageSize = 2 };
        do
        {
            var page = await service.Grpc.ListPartiesAsync(request, service.As(service.CollectivityToken));
            Assert.True(page.Parties.Count <= 2);
            names.AddRange(page.Parties.Select(p => p.Name));
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        Assert.Equal(Enumerable.Range(579101, 5).Select(n => $"parties/uai-0{n}{char.ToLowerInvariant(Uai.CheckLetter(n))}"), names);
    }

    [Fact]
    public async Task SucceedParty_PassesTheSchoolsOnTheDate_AndKeepsTheHistory()
    {
        await service.Grpc.CreatePartyAsync(new CreatePartyRequest { PartyId = "dep-test-old", Party = new Party { Kind = Kind.Department, DisplayName = "Old", InseeCode = "90" } }, service.As(service.AdminToken));
        await service.Grpc.CreatePartyAsync(new CreatePartyRequest { PartyId = "dep-test-new", Party = new Party { Kind = Kind.SpecialCollectivity, DisplayName = "New" } }, service.As(service.AdminToken));
        var school = await service.Grpc.CreatePartyAsync(new CreatePartyRequest { Party = School(579201, "parties/dep-test-old") }, service.As(service.AdminToken));

        var old = await service.Grpc.SucceedPartyAsync(
            new SucceedPartyRequest { Name = "parties/dep-test-old", Successor = "parties/dep-test-new", EffectiveDate = "2021-01-01" }, service.As(service.AdminToken));
        var retried = await service.Grpc.SucceedPartyAsync(
            new SucceedPartyRequest { Name = "parties/dep-test-old", Successor = "parties/dep-test-new", EffectiveDate = "2021-01-01" }, service.As(service.AdminToken));

        Assert.Equal(("2020-12-31", "parties/dep-test-new"), (old.ValidTo, old.Successor));
        Assert.Equal(old.Etag, retried.Etag);
        var before = await service.Grpc.ResolveCompetenceAsync(new ResolveCompetenceRequest { Name = school.Name, Date = "2020-12-31" }, service.As(service.CollectivityToken));
        var after = await service.Grpc.ResolveCompetenceAsync(new ResolveCompetenceRequest { Name = school.Name, Date = "2021-01-01" }, service.As(service.CollectivityToken));
        Assert.Equal("parties/dep-test-old", before.CompetentAuthority);
        Assert.Equal("parties/dep-test-new", after.CompetentAuthority);
    }

    [Fact]
    public async Task ImportSchools_ReportsEachRow_AndChangesNothingTheSecondTime()
    {
        const string Csv = """
            Identifiant_de_l_etablissement;Nom_etablissement;Type_etablissement;Statut_public_prive;Code_departement;Code_academie;Code_region;Nom_commune;Nombre_d_eleves;Libelle_nature
            0679001V;Collège A;Collège;Public;67;15;44;Sélestat;300;COLLEGE
            0679002W;Lycée B;Lycée;Public;67;15;44;Strasbourg;900;LYCEE PROFESSIONNEL
            0679003A;Collège C;Collège;Public;67;15;44;Erstein;200;COLLEGE
            0679004Y;École D;Ecole;Public;67;15;44;Erstein;100;ECOLE DE NIVEAU ELEMENTAIRE
            """;

        var dryRun = await service.Grpc.ImportSchoolsAsync(new ImportSchoolsRequest { Csv = Csv, DryRun = true }, service.As(service.AdminToken));
        var first = await service.Grpc.ImportSchoolsAsync(new ImportSchoolsRequest { Csv = Csv }, service.As(service.AdminToken));
        var second = await service.Grpc.ImportSchoolsAsync(new ImportSchoolsRequest { Csv = Csv }, service.As(service.AdminToken));

        Assert.Equal((2, 0, 0, 1), (dryRun.Created, dryRun.Updated, dryRun.Unchanged, dryRun.Skipped));
        Assert.Equal((2, 0, 0, 1), (first.Created, first.Updated, first.Unchanged, first.Skipped));
        var rejected = Assert.Single(first.Rejected);
        Assert.Equal((4, "0679003A"), (rejected.Line, rejected.Uai));
        Assert.Equal((0, 0, 2, 1), (second.Created, second.Updated, second.Unchanged, second.Skipped));
        var lycee = await service.Grpc.GetPartyAsync(new GetPartyRequest { Name = "parties/uai-0679002w" }, service.As(service.AdminToken));
        Assert.Equal((SchoolType.LyceeProfessionnel, "parties/region-grand-est"), (lycee.SchoolType, lycee.CompetentAuthority));
    }
}
