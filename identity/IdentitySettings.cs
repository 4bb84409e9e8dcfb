namespace Ent.Partnership.Identity;

/// <summary>
/// A development person: its subject (the token's <c>sub</c>), the name people read, and when given the e-mail
/// (verified: the operator wrote it) and organisation SIRET its tokens carry.
/// </summary>
public sealed record Person(string Subject, string DisplayName, string? Email = null, string? Siret = null);

/// <summary>A client application that signs persons in (the console): public, with PKCE.</summary>
public sealed record ClientApplication
{
    public string ClientId { get; init; } = "";

    public string DisplayName { get; init; } = "";

    public string[] RedirectUris { get; init; } = [];

    /// <summary>Where it may send persons after sign-out; none is allowed (a client bound without them is still registered).</summary>
    public string[] PostLogoutRedirectUris { get; init; } = [];
}

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

    /// <summary>The provider persons sign in at outside Development (and beside the development persons in it).</summary>
    public UpstreamSettings Upstream { get; init; } = new();
}
