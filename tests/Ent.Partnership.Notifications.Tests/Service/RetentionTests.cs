using Ent.Partnership.Notifications.V1;
using Ent.Partnership.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static Ent.Partnership.Notifications.Tests.Service.NotificationsFactory;
using DeliveryState = Ent.Partnership.Notifications.V1.Delivery.Types.State;

namespace Ent.Partnership.Notifications.Tests.Service;

/// <summary>Deliveries are kept 30 days, on a clock the test moves.</summary>
public sealed class RetentionTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private Receiver _receiver = null!;
    private NotificationsFactory _service = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _receiver = await Receiver.StartAsync();
        _service = new NotificationsFactory(_redis, time: _time);
        _ = _service.Client;
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _receiver.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task ADelivery_IsListedFor30Days_ThenDeleted()
    {
        var webhook = await _service.Client.CreateWebhookAsync(new CreateWebhookRequest { WebhookId = "kept", Webhook = new Webhook { Url = _receiver.Url("kept") } }, AsRegion);
        var ping = await _service.Client.PingWebhookAsync(new PingWebhookRequest { Name = webhook.Name }, AsRegion);
        await DeliveriesAsync(webhook.Name, d => d.Any(x => x.EventId == ping.EventId && x.State == DeliveryState.Delivered));

        _time.Advance(TimeSpan.FromDays(30));
        var month = await DeliveriesAsync(webhook.Name, d => d.Count == 1);
        _time.Advance(TimeSpan.FromDays(1.5));

        Assert.Equal(ping.EventId, Assert.Single(month).EventId);
        Assert.Empty(await DeliveriesAsync(webhook.Name, d => d.Count == 0));
    }

    private async Task<IReadOnlyList<Delivery>> DeliveriesAsync(string webhook, Func<IReadOnlyList<Delivery>, bool> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (true)
        {
            var deliveries = (await _service.Client.ListDeliveriesAsync(new ListDeliveriesRequest { Parent = webhook }, AsRegion)).Deliveries;
            if (done(deliveries))
            {
                return deliveries;
            }

            await Task.Delay(50, timeout.Token);
        }
    }
}
