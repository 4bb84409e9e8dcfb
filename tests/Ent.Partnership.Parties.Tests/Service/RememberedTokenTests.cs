using Ent.Partnership.ServiceDefaults.Identity;
using Microsoft.Extensions.Time.Testing;

namespace Ent.Partnership.Parties.Tests.Service;

/// <summary>The services remember the tokens they found valid; nothing else may pass for them.</summary>
public sealed class RememberedTokenTests
{
    private static readonly InternalToken Tokens = new(PartiesServiceFactory.SigningKey, TimeProvider.System);

    [Fact]
    public async Task ATamperedCopy_OfARememberedToken_IsRefused()
    {
        var handler = new RememberedTokenHandler(TimeProvider.System);
        var token = Tokens.IssueForPartner("k1", "parties/cea", [RoleNames.Collectivity]);
        Assert.True((await handler.ValidateTokenAsync(token, Tokens.ValidationParameters())).IsValid);

        // The same claims, re-signed with another key: only the signature differs from the remembered token.
        var forged = new InternalToken(new string('x', 48), TimeProvider.System).IssueForPartner("k1", "parties/cea", [RoleNames.Collectivity]);
        var tampered = token[..token.LastIndexOf('.')] + forged[forged.LastIndexOf('.')..];

        Assert.False((await handler.ValidateTokenAsync(tampered, Tokens.ValidationParameters())).IsValid);
        Assert.True((await handler.ValidateTokenAsync(token, Tokens.ValidationParameters())).IsValid);
    }

    [Fact]
    public async Task ARememberedToken_IsRefused_OnceItHasExpired()
    {
        var handler = new RememberedTokenHandler(TimeProvider.System);
        // Made 119 s ago: one second of its two minutes left.
        var issued = new InternalToken(PartiesServiceFactory.SigningKey, new FakeTimeProvider(DateTimeOffset.UtcNow - InternalToken.Lifetime + TimeSpan.FromSeconds(1)));
        var token = issued.IssueForPartner("k2", null, [RoleNames.Admin]);
        var parameters = Tokens.ValidationParameters();
        parameters.ClockSkew = TimeSpan.Zero;
        Assert.True((await handler.ValidateTokenAsync(token, parameters)).IsValid);

        await Task.Delay(TimeSpan.FromSeconds(1.5));

        Assert.False((await handler.ValidateTokenAsync(token, parameters)).IsValid);
    }

    [Fact]
    public async Task EachRequest_GetsItsOwnIdentity()
    {
        var handler = new RememberedTokenHandler(TimeProvider.System);
        var token = Tokens.IssueForPartner("k3", "parties/dep-57", [RoleNames.Collectivity]);
        var first = await handler.ValidateTokenAsync(token, Tokens.ValidationParameters());
        first.ClaimsIdentity.AddClaim(new System.Security.Claims.Claim(InternalToken.RoleClaim, RoleNames.Admin));

        var second = await handler.ValidateTokenAsync(token, Tokens.ValidationParameters());

        Assert.False(second.ClaimsIdentity.HasClaim(InternalToken.RoleClaim, RoleNames.Admin));
        Assert.Equal("parties/dep-57", second.ClaimsIdentity.FindFirst(InternalToken.PartyClaim)?.Value);
    }

    [Fact]
    public void AServiceToken_IsMadeAgain_HalfwayThroughItsLife()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
        var tokens = new InternalToken(PartiesServiceFactory.SigningKey, time);
        var first = tokens.IssueForService("obligations");

        time.Advance(InternalToken.Lifetime / 2 - TimeSpan.FromSeconds(1));
        Assert.Equal(first, tokens.IssueForService("obligations"));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.NotEqual(first, tokens.IssueForService("obligations"));
    }
}
