using System.Text;
using System.Text.Json;
using Ent.Partnership.Notifications.Application;
using Ent.Partnership.Notifications.Domain;
using Ent.Partnership.Notifications.V1;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Tests.Support;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using static Ent.Partnership.Notifications.Tests.Service.NotificationsFactory;
using DeliveryState = Ent.Partnership.Notifications.V1.Delivery.Types.State;

namespace Ent.Partnership.Notifications.Tests.Service;

/// <summary>The redis-server and the receivers of one test class.</summary>
public sealed class WebhookEnvironment : IAsyncLifetime
{
    public RedisServer Redis { get; } = new();

    public Receiver Receiver { get; private set; } = null!;

    public NotificationsFactory Service { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        Receiver = await Receiver.StartAsync();
        Service = new NotificationsFactory(Redis);
        _ = Service.Client;
    }

    public async Task DisposeAsync()
    {
        await Service.DisposeAsync();
        await Receiver.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

/// <summary>Webhooks as partners use them (SPEC section 12), on the service in memory with a real redis-server and real receivers.</summary>
public sealed class WebhookTests(WebhookEnvironment environment) : IClassFixture<WebhookEnvironment>
{
    private readonly Notifications.V1.Notifications.NotificationsClient _client = environment.Service.Client;
    private readonly Receiver _receiver = environment.Receiver;

    [Fact]
    public async Task ARegionsWebhook_ReceivesWhatTheRegionMayRead_Signed_AndTheCeasDoesNot()
    {
        var region = await CreateAsync("region-signed", AsRegion);
        var cea = await CreateAsync("cea-signed", AsCea);

        var draft = await environment.Service.PublishAsync(new WebhookPing { Webhook = "draft" }, "communications/m-1", Readers.Only([Region], []));
        var approved = await environment.Service.PublishAsync(new WebhookPing { Webhook = "approved" }, "communications/m-1", Readers.Only([Region, Cea], []));

        var posts = await _receiver.WaitAsync("region-signed", p => p.Count == 2);
        var ceaPosts = await _receiver.WaitAsync("cea-signed", p => p.Count == 1);
        Assert.Equal([draft.Id, approved.Id], posts.Select(p => p.WebhookId).Order(StringComparer.Ordinal));
        Assert.Equal(approved.Id, Assert.Single(ceaPosts).WebhookId);
        foreach (var post in posts)
        {
            Assert.Equal(WebhookSignature.Sign(region.Secret, post.WebhookId, post.Timestamp, Encoding.UTF8.GetBytes(post.Body)), post.Signature);
            var cloudEvent = JsonDocument.Parse(post.Body).RootElement;
            Assert.Equal((post.WebhookId, "ent.partnership.notifications.v1.WebhookPing", "communications/m-1"),
                (cloudEvent.GetProperty("id").GetString(), cloudEvent.GetProperty("type").GetString(), cloudEvent.GetProperty("subject").GetString()));
        }

        Assert.Equal(cea.Secret.Length, region.Secret.Length);
        Assert.NotEqual(cea.Secret, region.Secret);
    }

    [Fact]
    public async Task AReceiverFailingEveryOtherAnswer_GetsEachEventOnce_Accepted()
    {
        await CreateAsync("flaky", AsRegion);
        _receiver.Answer("flaky", n => n % 2 == 0 ? 503 : 204);
        var events = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            events.Add((await environment.Service.PublishAsync(new WebhookPing { Webhook = $"e{i}" }, "communications/m-2", Readers.Only([Region], []))).Id);
        }

        var posts = await _receiver.WaitAsync("flaky", p => events.All(e => p.Any(x => x.WebhookId == e && x.Status == 204)));
        await WaitForDeliveriesAsync("webhooks/flaky", d => d.Count(x => events.Contains(x.EventId) && x.State == DeliveryState.Delivered) == events.Count);

        Assert.All(events, e => Assert.Single(posts, p => p.WebhookId == e && p.Status == 204));
        Assert.Contains(posts, p => p.Status == 503);
        var deliveries = await ListDeliveriesAsync("webhooks/flaky");
        Assert.Contains(deliveries, d => d.Attempts >= 2 && d.LastStatusCode == 204);
    }

    [Fact]
    public async Task EventTypes_ChooseWhatIsPosted_AndDeletingAWebhookStopsItsDeliveries()
    {
        await CreateAsync("pings-only", AsRegion, eventTypes: ["WebhookPing"]);
        var ping = await environment.Service.PublishAsync(new WebhookPing { Webhook = "kept" }, "communications/m-3", Readers.Everyone);
        await environment.Service.PublishAsync(new StringValue { Value = "left out" }, "communications/m-3", Readers.Everyone);
        await _receiver.WaitAsync("pings-only", p => p.Count == 1);

        await _client.DeleteWebhookAsync(new DeleteWebhookRequest { Name = "webhooks/pings-only" }, AsRegion);
        var after = await environment.Service.PublishAsync(new WebhookPing { Webhook = "after" }, "communications/m-3", Readers.Everyone);
        // Another webhook taking everything receives the later event: the service has handled it by then.
        await CreateAsync("witness", AsRegion);
        var witness = await environment.Service.PublishAsync(new WebhookPing { Webhook = "witness" }, "communications/m-3", Readers.Everyone);
        await _receiver.WaitAsync("witness", p => p.Any(x => x.WebhookId == witness.Id));

        Assert.Equal(ping.Id, Assert.Single(_receiver.Posts("pings-only")).WebhookId);
        Assert.DoesNotContain(_receiver.Posts("pings-only"), p => p.WebhookId == after.Id);
    }

    [Fact]
    public async Task Redeliver_PostsTheSameWebhookIdAgain_Ping_IsRecorded_AndAPendingOneIsRefused()
    {
        await CreateAsync("redeliver", AsRegion);
        var ping = await _client.PingWebhookAsync(new PingWebhookRequest { Name = "webhooks/redeliver" }, AsRegion);
        Assert.Equal((DeliveryState.Pending, "ent.partnership.notifications.v1.WebhookPing"), (ping.State, ping.Type));
        await WaitForDeliveriesAsync("webhooks/redeliver", d => d.Any(x => x.EventId == ping.EventId && x.State == DeliveryState.Delivered));

        // Answered 503, the redelivery stays PENDING (retried): redelivering it again is refused.
        _receiver.Answer("redeliver", _ => 503);
        var again = await _client.RedeliverDeliveryAsync(new RedeliverDeliveryRequest { Name = ping.Name }, AsRegion);
        await _receiver.WaitAsync("redeliver", p => p.Count >= 2);
        var pending = await Assert.ThrowsAsync<RpcException>(() => _client.RedeliverDeliveryAsync(new RedeliverDeliveryRequest { Name = ping.Name }, AsRegion).ResponseAsync);
        _receiver.Answer("redeliver", _ => 410);
        var failed = await WaitForDeliveriesAsync("webhooks/redeliver", d => d.Any(x => x.EventId == ping.EventId && x.State == DeliveryState.Failed));
        var posts = _receiver.Posts("redeliver");

        Assert.Equal(DeliveryState.Pending, again.State);
        Assert.Equal(StatusCode.FailedPrecondition, pending.StatusCode);
        Assert.All(posts, p => Assert.Equal(ping.EventId, p.WebhookId));
        Assert.Equal([204, 503, 410], posts.Select(p => p.Status).Distinct());
        Assert.Equal(410, failed.Single(x => x.EventId == ping.EventId).LastStatusCode);
    }

    [Fact]
    public async Task AWebhook_IsItsOwners_TheSecretShownOnce()
    {
        var created = await CreateAsync("owned", AsRegion);
        var read = await _client.GetWebhookAsync(new GetWebhookRequest { Name = created.Name }, AsRegion);
        var listed = await _client.ListWebhooksAsync(new ListWebhooksRequest(), AsRegion);
        var byAdmin = await _client.GetWebhookAsync(new GetWebhookRequest { Name = created.Name }, AsAdmin);
        var other = await Assert.ThrowsAsync<RpcException>(() => _client.GetWebhookAsync(new GetWebhookRequest { Name = created.Name }, AsCea).ResponseAsync);
        var othersList = await _client.ListWebhooksAsync(new ListWebhooksRequest(), AsCea);

        Assert.Equal((Region, Webhook.Types.State.Active), (created.Owner, created.State));
        Assert.StartsWith("whsec_", created.Secret, StringComparison.Ordinal);
        Assert.Equal("", read.Secret);
        Assert.All(listed.Webhooks, w => Assert.Equal(("", Region), (w.Secret, w.Owner)));
        Assert.Contains(listed.Webhooks, w => w.Name == created.Name);
        Assert.Equal(created.Name, byAdmin.Name);
        Assert.Equal(StatusCode.NotFound, other.StatusCode);
        Assert.DoesNotContain(othersList.Webhooks, w => w.Name == created.Name);
    }

    [Fact]
    public async Task EachChangeOfAWebhook_IsAnEventOfItsActor_ReadByTheOwner_WithoutTheSecret()
    {
        var created = await CreateAsync("evented", AsRegion);
        await _client.UpdateWebhookAsync(new UpdateWebhookRequest { Webhook = new Webhook { Name = created.Name, Description = "Intranet" } }, AsRegion);
        await _client.DeleteWebhookAsync(new DeleteWebhookRequest { Name = created.Name }, AsRegion);

        var entries = (await environment.Redis.Connection.GetDatabase().StreamRangeAsync("notifications:events"))
            .Select(e => JsonDocument.Parse(e["event"].ToString()).RootElement)
            .Where(e => e.GetProperty("subject").GetString() == created.Name)
            .ToList();
        Assert.Equal(["WebhookCreated", "WebhookUpdated", "WebhookDeleted"], entries.Select(e => e.GetProperty("type").GetString()!.Split('.')[^1]));
        Assert.All(entries, e => Assert.Equal(("key:region", Region, $"party:{Region} role:admin"),
            (e.GetProperty("actorsubject").GetString(), e.GetProperty("actorparty").GetString(), e.GetProperty("readers").GetString())));
        Assert.All(entries, e => Assert.False(e.GetProperty("data").GetProperty("webhook").TryGetProperty("secret", out _), "the secret is in " + e.GetProperty("type")));
    }

    [Fact]
    public async Task BadInput_IsRefused_NamingTheField()
    {
        await CreateAsync("taken", AsRegion);
        (Webhook Webhook, string Id, string Field)[] refused =
        [
            (new Webhook(), "", "url"),
            (new Webhook { Url = "/relative" }, "", "url"),
            (new Webhook { Url = "http://intranet.grandest.fr/hooks" }, "", "url"),
            (new Webhook { Url = "https://user:pw@intranet.grandest.fr/hooks" }, "", "url"),
            (new Webhook { Url = "https://intranet.grandest.fr/hooks#x" }, "", "url"),
            (new Webhook { Url = "https://intranet.grandest.fr/" + new string('a', 2100) }, "", "url"),
            (new Webhook { Url = _receiver.Url("x"), EventTypes = { "NoSuchEvent" } }, "", "eventTypes[0]"),
            (new Webhook { Url = _receiver.Url("x"), EventTypes = { "WebhookPing", "WebhookPing" } }, "", "eventTypes[1]"),
            (new Webhook { Url = _receiver.Url("x"), Secret = "whsec_mine" }, "", "secret"),
            (new Webhook { Url = _receiver.Url("x") }, "Bad_Id", "webhookId"),
        ];
        foreach (var (webhook, id, field) in refused)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => _client.CreateWebhookAsync(new CreateWebhookRequest { Webhook = webhook, WebhookId = id }, AsRegion).ResponseAsync);
            Assert.Equal((StatusCode.InvalidArgument, field), (error.StatusCode, FieldOf(error)));
        }

        var taken = await Assert.ThrowsAsync<RpcException>(() => _client.CreateWebhookAsync(
            new CreateWebhookRequest { Webhook = new Webhook { Url = _receiver.Url("x") }, WebhookId = "taken" }, AsRegion).ResponseAsync);
        var secretPatch = await Assert.ThrowsAsync<RpcException>(() => _client.UpdateWebhookAsync(
            new UpdateWebhookRequest { Webhook = new Webhook { Name = "webhooks/taken" }, UpdateMask = new FieldMask { Paths = { "secret" } } }, AsRegion).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, taken.StatusCode);
        Assert.Equal((StatusCode.InvalidArgument, "secret"), (secretPatch.StatusCode, FieldOf(secretPatch)));
    }

    [Fact]
    public async Task AnOwner_HasAtMost20Webhooks()
    {
        var owner = As("parties/dep-57", RoleNames.Collectivity, "moselle");
        for (var i = 0; i < WebhookCatalog.MaxPerOwner; i++)
        {
            await CreateAsync($"moselle-{i:00}", owner);
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => CreateAsync("moselle-21", owner));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("TOO_MANY_WEBHOOKS", Assert.Single(error.GetRpcStatus()!.GetDetail<Google.Rpc.PreconditionFailure>().Violations).Type);
    }

    [Fact]
    public async Task ARetriedCreate_AnswersTheFirst_SecretIncluded()
    {
        var request = new CreateWebhookRequest { Webhook = new Webhook { Url = _receiver.Url("retried") }, RequestId = "retry-1" };
        var first = await _client.CreateWebhookAsync(request, AsRegion);
        var second = await _client.CreateWebhookAsync(request, AsRegion);

        Assert.Equal((first.Name, first.Secret), (second.Name, second.Secret));
    }

    private async Task<Webhook> CreateAsync(string id, Metadata caller, params string[] eventTypes) =>
        await _client.CreateWebhookAsync(new CreateWebhookRequest
        {
            WebhookId = id,
            Webhook = new Webhook { Url = _receiver.Url(id), EventTypes = { eventTypes }, Description = "test" },
        }, caller);

    private async Task<IReadOnlyList<Delivery>> ListDeliveriesAsync(string webhook) =>
        (await _client.ListDeliveriesAsync(new ListDeliveriesRequest { Parent = webhook, PageSize = 500 }, AsAdmin)).Deliveries;

    private async Task<IReadOnlyList<Delivery>> WaitForDeliveriesAsync(string webhook, Func<IReadOnlyList<Delivery>, bool> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (true)
        {
            var deliveries = await ListDeliveriesAsync(webhook);
            if (done(deliveries))
            {
                return deliveries;
            }

            await Task.Delay(50, timeout.Token);
        }
    }

    private static string FieldOf(RpcException error) =>
        Assert.Single(error.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations).Field;
}
