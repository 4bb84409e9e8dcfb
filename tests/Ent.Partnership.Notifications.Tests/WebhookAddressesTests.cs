using Ent.Partnership.Notifications.Dispatch;

namespace Ent.Partnership.Notifications.Tests;

public sealed class WebhookAddressesTests
{
    [Fact]
    public async Task ANameDnsCannotTake_IsARefusal_NotAnError()
    {
        // 300 characters in labels of 59: within a URL's 2,048, past DNS's 255.
        var host = string.Join('.', Enumerable.Repeat(new string('a', 59), 5)) + ".example";
        var addresses = new WebhookAddresses(new DnsHostResolver(), new WebhookRules(AllowLoopback: false));

        var (resolved, refusal) = await addresses.CheckAsync(host, CancellationToken.None);

        Assert.Empty(resolved);
        Assert.Contains("ne se résout pas", refusal, StringComparison.Ordinal);
    }
}
