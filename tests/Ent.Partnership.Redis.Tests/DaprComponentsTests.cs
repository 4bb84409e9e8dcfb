using System.Text.RegularExpressions;
using Ent.Partnership.Dapr;

namespace Ent.Partnership.Redis.Tests;

/// <summary>
/// The Dapr component files in <c>deploy/dapr</c> agree with the code: each service's state store has the
/// name the service looks for (<c>{service}-state</c>), scoped to it, with its outbox publishing to the
/// topic its consumers subscribe to, on the pub/sub component the services subscribe on.
/// </summary>
public sealed partial class DaprComponentsTests
{
    private static readonly string[] Services = ["parties", "conventions", "obligations", "communications", "notifications"];

    private static string DeployDirectory()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Ent.Partnership.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory?.FullName ?? throw new DirectoryNotFoundException("Ent.Partnership.sln not found above the tests"), "deploy", "dapr");
    }

    /// <summary>Each component of a file by name: its type and its metadata values and scopes, flattened.</summary>
    private static Dictionary<string, string> Components(string file) =>
        File.ReadAllText(Path.Combine(DeployDirectory(), file))
            .Split("\n---", StringSplitOptions.RemoveEmptyEntries)
            .Select(document => (Name: ComponentName().Match(document), Text: document))
            .Where(component => component.Name.Success)
            .ToDictionary(component => component.Name.Groups[1].Value, component => component.Text);

    [Theory]
    [InlineData("statestores.redis.yaml", "state.redis")]
    [InlineData("statestores.postgresql.yaml", "state.postgresql")]
    public void EachServiceHasItsStateStore_WithTheOutboxItsConsumersSubscribeTo(string file, string type)
    {
        var components = Components(file);

        foreach (var service in Services)
        {
            var store = components[DaprStoreOptions.DefaultStoreName(service)];
            Assert.Contains("type: " + type, store, StringComparison.Ordinal);
            Assert.Matches($@"name: outboxPublishPubsub\s+value: {DaprPubSub.Default}\b", store);
            var topic = new DaprSubscription(DaprPubSub.Default, $"{service}:events", "any", typeof(object)).Topic;
            Assert.Matches($@"name: outboxPublishTopic\s+value: {topic}\b", store);
            Assert.Matches($@"scopes:\s+- {service}\s*$", store);
        }
    }

    [Fact]
    public void ThePubSub_IsTheOneTheServicesSubscribeOn_ForEveryService()
    {
        var pubsub = Components("pubsub.redis.yaml")[DaprPubSub.Default];

        Assert.Contains("type: pubsub.redis", pubsub, StringComparison.Ordinal);
        Assert.All(Services, service => Assert.Matches($@"- {service}\b", pubsub));
    }

    [GeneratedRegex(@"kind: Component\s+metadata:\s+name: ([\w-]+)")]
    private static partial Regex ComponentName();
}
