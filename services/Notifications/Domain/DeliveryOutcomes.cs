using System.Net;
using Ent.Partnership.Notifications.V1;
using Google.Protobuf.WellKnownTypes;
using State = Ent.Partnership.Notifications.V1.Delivery.Types.State;

namespace Ent.Partnership.Notifications.Domain;

/// <summary>What came of one post: the receiver's status (and its <c>Retry-After</c>), or why there was none.</summary>
public sealed record PostOutcome(int? StatusCode, TimeSpan? RetryAfter, string? Error, bool Retryable)
{
    public static PostOutcome Answered(HttpStatusCode status, TimeSpan? retryAfter) => new((int)status, retryAfter, null, false);

    /// <summary>A time-out or a connection error: tried again.</summary>
    public static PostOutcome Unreachable(string error) => new(null, null, error, true);

    /// <summary>Never to be tried again as it is (an address the rules refuse).</summary>
    public static PostOutcome Refused(string error) => new(null, null, error, false);
}

/// <summary>How long failures are retried, and how far apart.</summary>
public sealed record RetryPolicy
{
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromHours(1);

    /// <summary>After this long since the first attempt a failing delivery is FAILED.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromHours(24);
}

/// <summary>
/// A delivery's rules (SPEC section 12): a 2xx is DELIVERED; 429 (after its <c>Retry-After</c>), 5xx, time-outs
/// and connection errors are tried again with jittered back-off until the window closes, then FAILED; any other
/// status, 3xx included, is FAILED at once.
/// </summary>
public static class DeliveryOutcomes
{
    public static void Record(Delivery delivery, PostOutcome outcome, DateTimeOffset firstAttempt, DateTimeOffset now, RetryPolicy policy, double jitter)
    {
        if (outcome.StatusCode is { } status)
        {
            delivery.LastStatusCode = status;
        }
        else
        {
            delivery.ClearLastStatusCode();
        }

        delivery.LastError = outcome.Error ?? "";
        if (outcome.StatusCode is >= 200 and < 300)
        {
            delivery.State = State.Delivered;
            delivery.DeliverTime = Timestamp.FromDateTimeOffset(now);
            delivery.NextAttemptTime = null;
            return;
        }

        var retryable = outcome.Retryable || outcome.StatusCode is 429 or >= 500;
        var next = now + Delay(delivery.Attempts, outcome.RetryAfter, policy, jitter);
        if (retryable && next < firstAttempt + policy.Window)
        {
            delivery.State = State.Pending;
            delivery.NextAttemptTime = Timestamp.FromDateTimeOffset(next);
            return;
        }

        delivery.State = State.Failed;
        delivery.NextAttemptTime = null;
        if (delivery.LastError.Length == 0)
        {
            delivery.LastError = retryable
                ? "Le destinataire n'a pas accepté l'événement dans les 24 heures."
                : $"Le destinataire a répondu {outcome.StatusCode} : l'événement n'est pas renvoyé.";
        }
    }

    /// <summary>The back-off after <paramref name="attempts"/> attempts: doubling from the base, half of it jittered; a <c>Retry-After</c> wins when longer.</summary>
    public static TimeSpan Delay(int attempts, TimeSpan? retryAfter, RetryPolicy policy, double jitter)
    {
        var doubling = policy.BaseDelay * Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        var backOff = doubling < policy.MaxDelay ? doubling : policy.MaxDelay;
        backOff *= 0.5 + (jitter / 2);
        return retryAfter is { } asked && asked > backOff ? asked : backOff;
    }
}
