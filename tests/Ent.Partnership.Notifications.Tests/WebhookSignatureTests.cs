using System.Text;
using Ent.Partnership.Notifications.Domain;

namespace Ent.Partnership.Notifications.Tests;

public sealed class WebhookSignatureTests
{
    [Fact]
    public void Sign_ReproducesTheStandardWebhooksPublishedTestVector()
    {
        // The specification's own example: a receiver's Standard Webhooks library accepts what matches it.
        var signature = WebhookSignature.Sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, Encoding.UTF8.GetBytes("""{"test": 2432232314}"""));

        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void NewSecret_IsWhsecAndTheBase64Of32RandomBytes()
    {
        var first = WebhookSignature.NewSecret();
        var second = WebhookSignature.NewSecret();

        Assert.StartsWith("whsec_", first, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(first["whsec_".Length..]).Length);
        Assert.NotEqual(first, second);
    }
}
