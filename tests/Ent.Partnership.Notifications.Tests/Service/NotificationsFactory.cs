using System.Net;
using Ent.Partnership.Notifications.Dispatch;
using Ent.Partnership.Redis;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Storage;
using Ent.Partnership.Tests.Support;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Ent.Partnership.Notifications.Tests.Service;

/// <summary>
/// The notifications service in memory on a real redis-server, posting short of the production delays, with
/// the rules of Development (<paramref name="allowLoopback"/>) or of production and a resolver the test controls.
/// </summary>
public sealed class NotificationsFactory(RedisServer redis, bool allowLoopback = true, IHostResolver? resolver = null, TimeProvider? time = null)
    : WebApplicationFactory<Grpc.NotificationsService>
{
    public const string Region = "parties/region-grand-est";
    public const string Cea = "parties/cea";

    public V1.Notifications.NotificationsClient Client =>
        field ??= new(GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions { HttpHandler = Server.CreateHandler() }));

    public static Metadata As(string? party, string role, string keyId = "test") => new()
    {
        { "authorization", "Bearer " + new InternalToken(TestSecrets.SigningKey, TimeProvider.System).IssueForPartner(keyId, party, [role]) },
    };

    public static Metadata AsRegion => As(Region, RoleNames.Collectivity, "region");

    public static Metadata AsCea => As(Cea, RoleNames.Collectivity, "cea");

    public static Metadata AsAdmin => As(null, RoleNames.Admin, "admin");

    /// <summary>Appends an event to the communications service's stream, as that service does, read by <paramref name="readers"/>.</summary>
    public async Task<OutgoingEvent> PublishAsync(IMessage data, string subject, Readers readers)
    {
        var producer = new RedisDocumentStore(redis.Connection, new RedisStoreOptions("communications"));
        var outgoing = OutgoingEvent.From(data, "/ent-partnership/communications", subject, TimeProvider.System, readers);
        await producer.NewBatch().Publish(outgoing).CommitAsync();
        return outgoing;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:redis", redis.ConnectionString);
        builder.UseSetting("InternalToken:SigningKey", TestSecrets.SigningKey);
        builder.UseSetting("Webhooks:AllowLoopback", allowLoopback ? "true" : "false");
        builder.UseSetting("Webhooks:Dispatch:Interval", "00:00:00.1");
        builder.UseSetting("Webhooks:Dispatch:Lease", "00:00:03");
        builder.UseSetting("Webhooks:Dispatch:Retries:BaseDelay", "00:00:00.05");
        builder.ConfigureTestServices(services =>
        {
            if (resolver is not null)
            {
                services.AddSingleton(resolver);
            }

            if (time is not null)
            {
                services.AddSingleton(time);
            }
        });
    }
}

/// <summary>Names resolved as the test says, each answer in turn (the last one kept): DNS rebinding on demand.</summary>
public sealed class ScriptedResolver(Dictionary<string, IPAddress[][]> answers) : IHostResolver
{
    private readonly Dictionary<string, int> _asked = [];

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        lock (_asked)
        {
            if (IPAddress.TryParse(host, out var literal))
            {
                return Task.FromResult<IPAddress[]>([literal]);
            }

            var turn = _asked[host] = _asked.GetValueOrDefault(host) + 1;
            return Task.FromResult(answers.TryGetValue(host, out var list) ? list[Math.Min(turn, list.Length) - 1] : []);
        }
    }
}
