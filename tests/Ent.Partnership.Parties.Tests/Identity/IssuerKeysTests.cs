using Ent.Partnership.ServiceDefaults.Identity;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ent.Partnership.Parties.Tests.Identity;

public sealed class IssuerKeysTests
{
    private const string Seed = "a-generated-seed-of-48-characters-for-the-gateway";
    private const string NextSeed = "the-next-seed-of-at-least-32-bytes-for-the-gateway";

    private static string Sign(IssuerKeys keys) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = keys.Issuer,
        Expires = DateTime.UtcNow.AddMinutes(1),
        SigningCredentials = keys.Signing,
    });

    private static async Task<bool> ValidAsync(string token, IEnumerable<SecurityKey> keys) =>
        (await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = "gateway",
            ValidateAudience = false,
            IssuerSigningKeys = keys,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        })).IsValid;

    [Fact]
    public void ASeed_AlwaysMakesTheSameKey_AndAnotherSeedAnother()
    {
        Assert.Equal(new IssuerKeys("gateway", Seed).Current.KeyId, new IssuerKeys("gateway", Seed).Current.KeyId);
        Assert.NotEqual(new IssuerKeys("gateway", Seed).Current.KeyId, new IssuerKeys("gateway", NextSeed).Current.KeyId);
    }

    [Fact]
    public async Task ATokenSigned_IsValidAgainstThePublishedKeys_AndOnlyThem()
    {
        var keys = new IssuerKeys("gateway", Seed);

        var token = Sign(keys);

        Assert.True(await ValidAsync(token, IssuerKeys.Parse(keys.Jwks())));
        Assert.False(await ValidAsync(token, IssuerKeys.Parse(new IssuerKeys("gateway", NextSeed).Jwks())));
        Assert.DoesNotContain("\"d\"", keys.Jwks(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DuringARotation_ThePreviousKeysTokensStayValid()
    {
        var before = new IssuerKeys("gateway", Seed);
        var rotating = new IssuerKeys("gateway", NextSeed, previousSeed: Seed);
        var after = new IssuerKeys("gateway", NextSeed);

        var signedBefore = Sign(before);

        Assert.True(await ValidAsync(signedBefore, IssuerKeys.Parse(rotating.Jwks())));
        Assert.True(await ValidAsync(Sign(rotating), IssuerKeys.Parse(rotating.Jwks())));
        Assert.False(await ValidAsync(signedBefore, IssuerKeys.Parse(after.Jwks())));
    }

    [Fact]
    public void AShortSeed_IsRefused() =>
        Assert.Throws<InvalidOperationException>(() => new IssuerKeys("gateway", "too-short"));
}
