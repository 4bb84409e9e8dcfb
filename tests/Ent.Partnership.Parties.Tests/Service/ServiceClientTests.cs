using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Grpc;
using Ent.Partnership.ServiceDefaults.Identity;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Ent.Partnership.Parties.Tests.Service;

/// <summary>Another service calling the parties service through the suite's client set-up.</summary>
public sealed class ServiceClientTests(PartiesServiceFactory service) : IClassFixture<PartiesServiceFactory>
{
    private V1.Parties.PartiesClient ClientOf(string serviceName)
    {
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new InternalToken(PartiesServiceFactory.SigningKey, TimeProvider.System));
        services.AddSingleton(new ServiceIdentity(serviceName));
        services.AddPartnershipGrpcClient<V1.Parties.PartiesClient>("parties")
            .ConfigurePrimaryHttpMessageHandler(() => service.Server.CreateHandler());
        services.Configure<GrpcClientFactoryOptions>(nameof(V1.Parties.PartiesClient), options => options.Address = service.Server.BaseAddress);
        return services.BuildServiceProvider().GetRequiredService<V1.Parties.PartiesClient>();
    }

    [Fact]
    public async Task AServiceCall_CarriesTheServiceIdentity_WhichReadsButIsNoAdmin()
    {
        var client = ClientOf("conventions");

        var party = await client.GetPartyAsync(new GetPartyRequest { Name = "parties/dep-57" });
        var error = await Assert.ThrowsAsync<RpcException>(() => client.CreatePartyAsync(new CreatePartyRequest
        {
            PartyId = "made-by-a-service",
            Party = new Party { Kind = Party.Types.Kind.EntProvider, DisplayName = "Opérateur" },
        }).ResponseAsync);

        Assert.Equal("Moselle", party.DisplayName);
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public void OutboundCalls_GetTheServiceTokenAndADeadline()
    {
        var now = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(now);
        var tokens = new InternalToken(PartiesServiceFactory.SigningKey, time);
        var interceptor = new OutboundCallInterceptor(tokens, new ServiceIdentity("conventions"), time);
        CallOptions? sent = null;

        interceptor.AsyncUnaryCall(
            new GetPartyRequest(),
            new ClientInterceptorContext<GetPartyRequest, Party>(GetPartyMethod, null, new CallOptions()),
            (request, context) =>
            {
                sent = context.Options;
                return null!;
            });

        Assert.Equal(now.UtcDateTime + GrpcClientExtensions.DefaultDeadline, sent!.Value.Deadline);
        var authorization = sent.Value.Headers!.Single(h => h.Key == "authorization").Value;
        var token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(authorization["Bearer ".Length..]);
        Assert.Equal("conventions", token.GetClaim(InternalToken.ServiceClaim).Value);
        Assert.Equal(now.UtcDateTime + InternalToken.Lifetime, token.ValidTo);
    }

    private static readonly Method<GetPartyRequest, Party> GetPartyMethod = new(
        MethodType.Unary, "ent.partnership.parties.v1.Parties", "GetParty",
        Marshallers.Create(r => r.ToByteArray(), GetPartyRequest.Parser.ParseFrom),
        Marshallers.Create(r => r.ToByteArray(), Party.Parser.ParseFrom));
}
