namespace Ent.Partnership.Identity;

/// <summary>A person the identity project signs in: its subject (the token's <c>sub</c>) and the name people read.</summary>
public sealed record Person(string Subject, string DisplayName);

/// <summary>A client application that signs persons in (the console): public, with PKCE.</summary>
public sealed record ClientApplication(string ClientId, string DisplayName, string[] RedirectUris, string[] PostLogoutRedirectUris);

/// <summary>The <c>Identity</c> section.</summary>
public sealed class IdentitySettings
{
    /// <summary>The secret seed the token signing key pair is made from, so that a restart keeps the key.</summary>
    public string Seed { get; init; } = "";

    /// <summary>
    /// The issuer its tokens name, its public address behind TLS in production; when empty, the address it is
    /// called at (Development, where the browser and the gateway both call <c>localhost</c>).
    /// </summary>
    public Uri? Issuer { get; init; }

    /// <summary>The audience of the access tokens: the gateway's API.</summary>
    public string Audience { get; init; } = "ent-partnership-api";

    /// <summary>How long an access token lives.</summary>
    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The development persons, one per development API key (Development only).</summary>
    public List<Person> Persons { get; init; } = [];

    public List<ClientApplication> Clients { get; init; } = [];
}
