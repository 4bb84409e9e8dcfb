using System.Net;
using Ent.Partnership.Notifications.V1;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Tests.Support;
using Grpc.Core;
using static Ent.Partnership.Notifications.Tests.Service.NotificationsFactory;
using DeliveryState = Ent.Partnership.Notifications.V1.Delivery.Types.State;

namespace Ent.Partnership.Notifications.Tests.Service;

/// <summary>
/// The service under production's rules (no loopback), names resolved by the test: no traffic leaves this
/// machine, and a refused address is never connected to.
/// </summary>
public sealed class AddressRulesTests : IAsyncLifetime
{
    private static readonly IPAddress Public = IPAddress.Parse("93.184.216.34");

    private readonly RedisServer _redis = new();
    private Receiver _receiver = null!;
    private NotificationsFactory _service = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _receiver = await Receiver.StartAsync();
        _service = new NotificationsFactory(_redis, allowLoopback: false, new ScriptedResolver(new()
        {
            ["internal.example"] = [[IPAddress.Parse("10.0.0.5")]],
            ["cgnat.example"] = [[IPAddress.Parse("100.100.1.1")]],
            ["mapped.example"] = [[IPAddress.Parse("::ffff:127.0.0.1")]],
            ["metadata.example"] = [[Public, IPAddress.Parse("169.254.169.254")]],
            ["ula.example"] = [[IPAddress.Parse("fd00::1")]],
            // Public when registered, this machine when posted to: DNS rebinding.
            ["rebind.example"] = [[Public], [IPAddress.Loopback]],
        }));
        _ = _service.Client;
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _receiver.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Theory]
    [InlineData("https://internal.example/hooks")]
    [InlineData("https://cgnat.example/hooks")]
    [InlineData("https://mapped.example/hooks")]
    [InlineData("https://metadata.example/latest/meta-data")]
    [InlineData("https://ula.example/hooks")]
    [InlineData("https://127.0.0.1/hooks")]
    [InlineData("https://[::1]/hooks")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://0.0.0.0/hooks")]
    [InlineData("https://unknown.example/hooks")]
    [InlineData("http://localhost:8080/hooks")]
    public async Task Registration_RefusesHostsThatAreOrResolveToRefusedAddresses(string url)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _service.Client.CreateWebhookAsync(
            new CreateWebhookRequest { Webhook = new Webhook { Url = url } }, AsRegion).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("url", Assert.Single(error.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations).Field);
    }

    [Fact]
    public async Task ANameResolvingElsewhereAtDelivery_IsCheckedAgain_AndNeverConnectedTo()
    {
        var port = new Uri(_receiver.BaseUrl).Port;
        var webhook = await _service.Client.CreateWebhookAsync(
            new CreateWebhookRequest { WebhookId = "rebind", Webhook = new Webhook { Url = $"https://rebind.example:{port}/rebind" } }, AsRegion);
        var sent = await _service.PublishAsync(new WebhookPing { Webhook = "x" }, "communications/m-9", Readers.Only([Region], []));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        Delivery delivery;
        do
        {
            await Task.Delay(50, timeout.Token);
            delivery = (await _service.Client.ListDeliveriesAsync(new ListDeliveriesRequest { Parent = webhook.Name }, AsRegion)).Deliveries.SingleOrDefault() ?? new Delivery();
        }
        while (delivery.State != DeliveryState.Failed);

        Assert.Equal(sent.Id, delivery.EventId);
        Assert.Contains("127.0.0.1", delivery.LastError, StringComparison.Ordinal);
        Assert.Empty(_receiver.Posts("rebind"));
    }
}
