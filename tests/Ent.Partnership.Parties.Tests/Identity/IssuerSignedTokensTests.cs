using Ent.Partnership.ServiceDefaults.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ent.Partnership.Parties.Tests.Identity;

/// <summary>Tokens checked against their issuer's own keys: who may sign for whom.</summary>
public sealed class IssuerSignedTokensTests
{
    private static readonly IssuerKeys Gateway = new("gateway", "a-generated-seed-of-48-characters-for-the-gateway");
    private static readonly IssuerKeys Communications = new("communications", "a-generated-seed-of-48-characters-for-communications");

    private static readonly TrustedIssuers Trusted = new(
        new Dictionary<string, IReadOnlyList<SecurityKey>>
        {
            ["gateway"] = IssuerKeys.Parse(Gateway.Jwks()),
            ["communications"] = IssuerKeys.Parse(Communications.Jwks()),
        },
        new Dictionary<string, Uri>(), new HttpClient(), TimeProvider.System);

    private static async Task<bool> AcceptedAsync(string token) =>
        (await new RememberedTokenHandler(TimeProvider.System, Trusted).ValidateTokenAsync(token, new InternalToken(Gateway, TimeProvider.System).ValidationParameters())).IsValid;

    [Fact]
    public async Task TheGateway_SignsForPartners_AndAServiceForItself()
    {
        Assert.True(await AcceptedAsync(new InternalToken(Gateway, TimeProvider.System).IssueForPartner("dev-admin", null, [RoleNames.Admin])));
        Assert.True(await AcceptedAsync(new InternalToken(Communications, TimeProvider.System).IssueForService("communications")));
    }

    [Fact]
    public async Task AServicesKey_SignsNeitherForAPartner_NorForAnotherService_NorForTheGateway()
    {
        var communications = new InternalToken(Communications, TimeProvider.System);

        Assert.False(await AcceptedAsync(communications.IssueForPartner("forged", "parties/region-grand-est", [RoleNames.Admin])));
        Assert.False(await AcceptedAsync(communications.IssueForService("parties")));
        Assert.False(await AcceptedAsync(Relabelled(communications.IssueForPartner("forged", null, [RoleNames.Admin]), "gateway")));
        Assert.False(await AcceptedAsync(new InternalToken(Gateway, TimeProvider.System).IssueForService("communications")));
    }

    [Fact]
    public async Task ATokenOfAnUnknownIssuer_OrSignedWithTheOldSharedKey_IsRefused()
    {
        var parties = new InternalToken(new IssuerKeys("parties", "a-generated-seed-of-48-characters-for-the-parties"), TimeProvider.System);

        Assert.False(await AcceptedAsync(parties.IssueForService("parties")));
        Assert.False(await AcceptedAsync(new InternalToken(new string('k', 48), TimeProvider.System).IssueForPartner("old", null, [RoleNames.Admin])));
    }

    [Fact]
    public async Task ARotation_KeepsThePreviousKeysTokens_UntilTheyExpire_ThenRefusesThem()
    {
        var previous = new IssuerKeys("gateway", "a-generated-seed-of-48-characters-for-the-gateway");
        var rotating = new IssuerKeys("gateway", "the-next-seed-of-at-least-32-bytes-for-the-gateway", previousSeed: "a-generated-seed-of-48-characters-for-the-gateway");
        var rotated = new IssuerKeys("gateway", "the-next-seed-of-at-least-32-bytes-for-the-gateway");
        var justMade = new InternalToken(previous, TimeProvider.System).IssueForPartner("dev-admin", null, [RoleNames.Admin]);
        var expired = new InternalToken(previous, new Clock(DateTimeOffset.UtcNow - InternalToken.Lifetime - TimeSpan.FromMinutes(1))).IssueForPartner("dev-admin", null, [RoleNames.Admin]);

        Assert.True(await AcceptedByAsync(rotating, justMade));
        Assert.True(await AcceptedByAsync(rotating, new InternalToken(rotating, TimeProvider.System).IssueForPartner("dev-admin", null, [RoleNames.Admin])));
        Assert.False(await AcceptedByAsync(rotating, expired));
        Assert.False(await AcceptedByAsync(rotated, justMade));
    }

    [Fact]
    public void TheSharedKey_IsForTestsOnly_AProductionServiceWithoutItsSeedDoesNotStart()
    {
        var sharedKeyOnly = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["InternalToken:SigningKey"] = new string('k', 48) }).Build();

        var error = Assert.Throws<InvalidOperationException>(() =>
            new ServiceCollection().AddInternalTokens(sharedKeyOnly, new HostingEnvironment { EnvironmentName = Environments.Production }, "parties"));
        new ServiceCollection().AddInternalTokens(sharedKeyOnly, new HostingEnvironment { EnvironmentName = Environments.Development }, "parties");

        Assert.Contains("InternalToken:Seed", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Whether a service that knows <paramref name="gateway"/>'s published keys takes the token.</summary>
    private static async Task<bool> AcceptedByAsync(IssuerKeys gateway, string token)
    {
        var trusted = new TrustedIssuers(
            new Dictionary<string, IReadOnlyList<SecurityKey>> { ["gateway"] = IssuerKeys.Parse(gateway.Jwks()) },
            new Dictionary<string, Uri>(), new HttpClient(), TimeProvider.System);
        return (await new RememberedTokenHandler(TimeProvider.System, trusted).ValidateTokenAsync(token, new InternalToken(gateway, TimeProvider.System).ValidationParameters())).IsValid;
    }

    /// <summary>A clock stopped at <paramref name="now"/>.</summary>
    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>A token signed by one issuer with another issuer's name written in.</summary>
    private static string Relabelled(string token, string issuer)
    {
        var read = new JsonWebTokenHandler().ReadJsonWebToken(token);
        var claims = read.Claims.GroupBy(c => c.Type).ToDictionary(g => g.Key, g => g.Count() == 1 ? (object)g.First().Value : g.Select(c => c.Value).ToArray());
        claims["iss"] = issuer;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor { Claims = claims, SigningCredentials = Communications.Signing });
    }
}
