using Ent.Partnership.ServiceDefaults.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;

namespace Ent.Partnership.Parties.Tests.Identity;

/// <summary>An issuer's keys as a service gets them: from its configuration, or from the issuer's JWKS over HTTP.</summary>
public sealed class TrustedIssuersTests : IAsyncLifetime
{
    private const string Seed = "a-generated-seed-of-48-characters-for-the-gateway";
    private const string NextSeed = "the-next-seed-of-at-least-32-bytes-for-the-gateway";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
    private WebApplication _issuer = null!;
    private string _jwks = new IssuerKeys("gateway", Seed).Jwks();
    private int _fetches;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _issuer = builder.Build();
        _issuer.MapGet("/.well-known/jwks.json", () =>
        {
            _fetches++;
            return Results.Text(_jwks, "application/json");
        });
        await _issuer.StartAsync();
    }

    public async Task DisposeAsync() => await _issuer.DisposeAsync();

    private TrustedIssuers Trusting()
    {
        var address = new Uri(_issuer.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        return new TrustedIssuers(
            new Dictionary<string, IReadOnlyList<SecurityKey>> { ["tests"] = IssuerKeys.Parse(new IssuerKeys("tests", NextSeed).Jwks()) },
            new Dictionary<string, Uri> { ["gateway"] = address },
            new HttpClient(), _time);
    }

    [Fact]
    public async Task GivenKeys_AreUsedAsGiven_AndAnUnknownIssuerHasNone()
    {
        var trusted = Trusting();

        Assert.Equal(new IssuerKeys("tests", NextSeed).Current.KeyId, Assert.Single(await trusted.KeysAsync("tests", null, default)).KeyId);
        Assert.Empty(await trusted.KeysAsync("parties", null, default));
        Assert.False(trusted.Knows("parties"));
    }

    [Fact]
    public async Task PublishedKeys_AreFetchedOnce_ThenAgainForAKeyNotSeenYet()
    {
        var trusted = Trusting();
        var first = new IssuerKeys("gateway", Seed).Current.KeyId;
        var next = new IssuerKeys("gateway", NextSeed).Current.KeyId;

        Assert.Equal(first, Assert.Single(await trusted.KeysAsync("gateway", first, default)).KeyId);
        await trusted.KeysAsync("gateway", first, default);
        Assert.Equal(1, _fetches);

        // The issuer rotates: its tokens name the new key, which the next fetch brings beside the previous one.
        _jwks = new IssuerKeys("gateway", NextSeed, previousSeed: Seed).Jwks();
        await trusted.KeysAsync("gateway", next, default);
        Assert.Equal(1, _fetches); // not sooner than RefetchAfter after the last fetch
        _time.Advance(TrustedIssuers.RefetchAfter);
        var rotated = await trusted.KeysAsync("gateway", next, default);

        Assert.Equal(2, _fetches);
        Assert.Equal([next, first], rotated.Select(k => k.KeyId));
    }

    [Fact]
    public async Task KeptKeys_AreFetchedAgain_AfterTheirTime()
    {
        var trusted = Trusting();
        await trusted.KeysAsync("gateway", null, default);

        _time.Advance(TrustedIssuers.KeepFor);
        await trusted.KeysAsync("gateway", null, default);

        Assert.Equal(2, _fetches);
    }
}
