namespace Ent.Partnership.Tests.Support;

/// <summary>The secrets the services get in memory during the tests: never used anywhere else.</summary>
public static class TestSecrets
{
    /// <summary>The key that signs and checks the internal tokens of the services hosted in memory.</summary>
    public const string SigningKey = "in-memory-tests-signing-key-of-at-least-32-bytes";

    /// <summary>The seed of the gateway's token keys, for a gateway hosted in memory as in production.</summary>
    public const string GatewaySeed = "in-memory-tests-seed-of-the-gateway-of-at-least-32-bytes";

    /// <summary>The seed of the identity project's token key pair in the tests that host it in memory.</summary>
    public const string IdentitySeed = "in-memory-tests-seed-of-the-identity-project-of-32-bytes";
}
