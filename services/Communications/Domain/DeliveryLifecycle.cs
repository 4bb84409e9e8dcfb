using Ent.Partnership.Communications.V1;
using Google.Protobuf.WellKnownTypes;
using DeliveryState = Ent.Partnership.Communications.V1.Delivery.Types.State;

namespace Ent.Partnership.Communications.Domain;

/// <summary>What became of one call to the ENT.</summary>
public enum EntOutcomeKind
{
    /// <summary>The ENT has it (or has removed it).</summary>
    Done,

    /// <summary>Worth trying again later: 429, 5xx, a time-out, a lost connection.</summary>
    Retry,

    /// <summary>Refused for a reason that retrying will not change.</summary>
    Failed,
}

/// <summary>One call's outcome: its kind, the ENT's error, and how long it asked to wait before the next.</summary>
public sealed record EntOutcome(EntOutcomeKind Kind, string Error = "", TimeSpan? RetryAfter = null);

/// <summary>How a delivery is retried: attempts before FAILED, the first back-off (doubling each time), the longest.</summary>
public sealed record RetryPolicy(int MaxAttempts, TimeSpan BaseDelay, TimeSpan MaxDelay)
{
    /// <summary>
    /// The wait before attempt <paramref name="attempt"/> + 1: half to all of base × 2^(attempt − 1), capped;
    /// <paramref name="jitter"/> (0 to 1) picks where in that range, so that schools do not retry in step.
    /// </summary>
    public TimeSpan Backoff(int attempt, double jitter)
    {
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30)));
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (jitter / 2)));
    }
}

/// <summary>
/// A delivery's life to one school's ENT, as pure rules: what an attempt's outcome makes of it (DELIVERED,
/// RETRACTED, another attempt later, FAILED), and what a message's deliveries add up to.
/// </summary>
public static class DeliveryLifecycle
{
    /// <summary>
    /// Records the outcome of an attempt made at <paramref name="now"/>: a push (or, when
    /// <paramref name="retracting"/>, a retraction) done, to be tried again after the back-off or the wait the
    /// ENT asked for (capped), or given up.
    /// </summary>
    public static void Record(Delivery delivery, EntOutcome outcome, bool retracting, DateTimeOffset now, RetryPolicy retries, double jitter)
    {
        delivery.LastError = outcome.Error;
        switch (outcome.Kind)
        {
            case EntOutcomeKind.Done when retracting:
                delivery.State = DeliveryState.Retracted;
                delivery.Retracting = false;
                delivery.RetractedAt = Timestamp.FromDateTimeOffset(now);
                delivery.NextAttemptTime = null;
                break;
            case EntOutcomeKind.Done:
                delivery.State = DeliveryState.Delivered;
                delivery.DeliveredAt = Timestamp.FromDateTimeOffset(now);
                delivery.NextAttemptTime = null;
                break;
            case EntOutcomeKind.Retry when retracting || delivery.Attempts < retries.MaxAttempts:
                var wait = retries.Backoff(retracting ? 3 : delivery.Attempts, jitter);
                if (outcome.RetryAfter is { } asked && asked > wait)
                {
                    wait = asked < retries.MaxDelay ? asked : retries.MaxDelay;
                }

                delivery.NextAttemptTime = Timestamp.FromDateTimeOffset(now + wait);
                break;
            case EntOutcomeKind.Failed when retracting:
                delivery.Retracting = false;
                delivery.NextAttemptTime = null;
                delivery.LastError = "Retrait refusé par l'ENT : " + outcome.Error;
                break;
            default:
                delivery.State = DeliveryState.Failed;
                delivery.NextAttemptTime = null;
                break;
        }
    }

    /// <summary>How many of a message's deliveries stand in each state.</summary>
    public static DeliverySummary Summarize(IEnumerable<Delivery> deliveries)
    {
        var summary = new DeliverySummary();
        foreach (var delivery in deliveries)
        {
            switch (delivery.State)
            {
                case DeliveryState.Pending: summary.Pending++; break;
                case DeliveryState.Delivered: summary.Delivered++; break;
                case DeliveryState.Failed: summary.Failed++; break;
                case DeliveryState.Retracted: summary.Retracted++; break;
            }
        }

        return summary;
    }
}
