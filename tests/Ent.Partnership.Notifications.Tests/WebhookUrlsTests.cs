using System.Net;
using Ent.Partnership.Notifications.Domain;

namespace Ent.Partnership.Notifications.Tests;

public sealed class WebhookUrlsTests
{
    [Theory]
    [InlineData("https://intranet.grandest.fr/hooks/ent", false)]
    [InlineData("https://intranet.grandest.fr:8443/hooks?source=ent", false)]
    [InlineData("http://localhost:5123/webhooks/region", true)]
    [InlineData("http://127.0.0.1:5123/webhooks/region", true)]
    [InlineData("http://[::1]:5123/webhooks/region", true)]
    public void ShapeRefusal_AcceptsHttps_AndLoopbackHttpInDevelopment(string url, bool development)
    {
        Assert.Null(WebhookUrls.ShapeRefusal(url, development, out var uri));
        Assert.NotNull(uri);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/hooks/ent")]
    [InlineData("intranet.grandest.fr/hooks")]
    [InlineData("ftp://intranet.grandest.fr/hooks")]
    [InlineData("http://intranet.grandest.fr/hooks")]
    [InlineData("http://localhost:5123/hooks")]
    [InlineData("https://user:secret@intranet.grandest.fr/hooks")]
    [InlineData("https://intranet.grandest.fr/hooks#part")]
    [InlineData("https://intranet.grandest.fr/hooks#")]
    public void ShapeRefusal_RefusesWhatSection12Refuses_OutsideDevelopment(string url)
    {
        Assert.NotNull(WebhookUrls.ShapeRefusal(url, allowLoopback: false, out _));
    }

    [Fact]
    public void ShapeRefusal_RefusesHttpToAnotherMachine_EvenInDevelopment_AndUrlsOver2048Characters()
    {
        Assert.NotNull(WebhookUrls.ShapeRefusal("http://intranet.grandest.fr/hooks", allowLoopback: true, out _));
        Assert.NotNull(WebhookUrls.ShapeRefusal("https://intranet.grandest.fr/" + new string('a', 2048), allowLoopback: false, out _));
        Assert.Null(WebhookUrls.ShapeRefusal("https://intranet.grandest.fr/" + new string('a', 2048 - 29), allowLoopback: false, out _));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.10.0.1")]
    [InlineData("::1")]
    [InlineData("10.0.0.5")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.10")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.254")]
    [InlineData("169.254.169.254")]
    [InlineData("fe80::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("224.0.0.1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.1.2.3")]
    [InlineData("::ffff:169.254.169.254")]
    public void AddressRefusal_RefusesLoopbackPrivateLinkLocalUnspecifiedAndMulticast(string address)
    {
        Assert.NotNull(WebhookUrls.AddressRefusal(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2001:db8::1")]
    [InlineData("2a01:e0a:1::1")]
    [InlineData("::ffff:93.184.216.34")]
    public void AddressRefusal_AcceptsPublicAddresses(string address)
    {
        Assert.Null(WebhookUrls.AddressRefusal(IPAddress.Parse(address)));
    }
}
