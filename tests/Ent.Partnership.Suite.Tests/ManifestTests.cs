using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ent.Partnership.Tests.Support;

namespace Ent.Partnership.Suite.Tests;

/// <summary>
/// The manifest an operator deploys keeps every guarantee of the local run (SPEC section 15): published as the
/// README says, and the one committed in <c>deploy/</c>.
/// </summary>
public sealed partial class ManifestTests
{
    private static readonly string Committed = Path.Combine(Repository.Root, "deploy", "aspire-manifest.json");

    [Fact]
    public async Task ThePublishedManifest_KeepsEveryGuarantee_AndIsTheOneCommitted()
    {
        // Beside deploy/, so that the projects' relative paths are the committed manifest's.
        var folder = Path.Combine(Repository.Root, $".manifest-{Guid.NewGuid():N}");
        try
        {
            var output = Path.Combine(folder, "aspire-manifest.json");
            var (exitCode, log) = await Repository.RunAsync("dotnet",
                ["run", "--no-build", "--project", "AppHost", "--", "--publisher", "manifest", "--output-path", output, "--environment", "Production"],
                Repository.Root, TimeSpan.FromMinutes(3));
            Assert.True(exitCode == 0, log);

            var published = await File.ReadAllTextAsync(output);
            Assert.Empty(Breaches(JsonNode.Parse(published)!));
            // Regenerate it with the README's command when this fails.
            Assert.Equal(WithoutVolumeHash(await File.ReadAllTextAsync(Committed)), WithoutVolumeHash(published));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task TheCommittedManifest_KeepsEveryGuarantee() =>
        Assert.Empty(Breaches(JsonNode.Parse(await File.ReadAllTextAsync(Committed))!));

    /// <summary>Each guarantee of the local run the manifest does not keep, said in a sentence.</summary>
    private static List<string> Breaches(JsonNode manifest)
    {
        var breaches = new List<string>();
        var resources = manifest["resources"]!.AsObject();
        var redis = resources["redis"]!;
        var command = RedisCommand(redis);
        if (!command.Contains("--appendonly yes", StringComparison.Ordinal) || !command.Contains("--appendfsync always", StringComparison.Ordinal))
        {
            breaches.Add($"Redis runs without AOF and fsync on every write: {command}");
        }

        foreach (var (name, resource) in resources)
        {
            foreach (var (variable, value) in resource!["env"]?.AsObject() ?? [])
            {
                if (variable.StartsWith("Seed__", StringComparison.Ordinal) && !string.Equals((string?)value, "false", StringComparison.OrdinalIgnoreCase))
                {
                    breaches.Add($"{name} loads sample data: {variable} = {value}.");
                }
            }
        }

        if (resources.ContainsKey("ent-sandbox"))
        {
            breaches.Add("The ENT sandbox, with its unauthenticated fault injection, is deployed.");
        }

        if ((string?)resources["communications"]!["env"]!["Ent__BaseUrl"] != "{ent-base-url.value}" || resources["ent-base-url"]?["type"]?.ToString() != "parameter.v0")
        {
            breaches.Add("The ENT's address is not the parameter ent-base-url.");
        }

        // The console is a client of the gateway with the person's token: no key, no seed, no secret of its own.
        foreach (var (variable, value) in resources["console"]?["env"]?.AsObject() ?? [])
        {
            if (variable.Contains("Key", StringComparison.OrdinalIgnoreCase) || variable.Contains("Seed", StringComparison.OrdinalIgnoreCase)
                || variable.Contains("Secret", StringComparison.OrdinalIgnoreCase) || ((string?)value)?.Contains("secret", StringComparison.OrdinalIgnoreCase) == true
                || ((string?)value)?.Contains("token-seed", StringComparison.Ordinal) == true)
            {
                breaches.Add($"The console holds a secret: {variable} = {value}.");
            }
        }

        if (resources["console"]?["env"]?["Console__Gateway"] is null)
        {
            breaches.Add("The console does not call the gateway.");
        }

        // Persons sign in at the operator's provider: no development persons' page, the provider's secret kept secret.
        if ((string?)resources["identity"]?["env"]?["Identity__Upstream__Authority"] != "{identity-upstream-authority.value}")
        {
            breaches.Add("The identity project does not broker the provider given by the parameter identity-upstream-authority.");
        }

        string[] issuers = ["gateway", "parties", "conventions", "obligations", "communications", "identity"];
        foreach (var secret in issuers.Select(issuer => "token-seed-" + issuer).Concat(["ent-push-secret", "redis-password", "identity-upstream-client-secret"]))
        {
            if (resources[secret]?["inputs"]?["value"]?["secret"]?.GetValue<bool>() != true)
            {
                breaches.Add($"{secret} is not a secret parameter.");
            }
        }

        return breaches;
    }

    /// <summary>
    /// What the Redis container runs: with <c>/bin/sh -c</c> as its entry point, the string after <c>-c</c> only
    /// (the shell takes what follows as its own parameters, never Redis's).
    /// </summary>
    private static string RedisCommand(JsonNode redis)
    {
        var args = redis["args"]?.AsArray().Select(a => (string)a!).ToList() ?? [];
        return (string?)redis["entrypoint"] is "/bin/sh" or "sh" && args is ["-c", var script, ..]
            ? script
            : string.Join(' ', args);
    }

    /// <summary>The Redis volume's name carries a hash of the AppHost's folder, which differs from one clone to another.</summary>
    private static string WithoutVolumeHash(string manifest) => VolumeHash().Replace(manifest, "apphost-$1");

    [GeneratedRegex(@"apphost-[0-9a-f]{10}(-redis-data)")]
    private static partial Regex VolumeHash();
}
