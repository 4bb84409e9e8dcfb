using Ent.Partnership.Communications.Domain;
using Ent.Partnership.Communications.V1;
using Google.Protobuf.WellKnownTypes;
using DeliveryState = Ent.Partnership.Communications.V1.Delivery.Types.State;

namespace Ent.Partnership.Communications.Tests;

public sealed class DeliveryLifecycleTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly RetryPolicy Retries = new(MaxAttempts: 8, BaseDelay: TimeSpan.FromSeconds(2), MaxDelay: TimeSpan.FromMinutes(5));

    private static Delivery Pending(int attempts) => new() { State = DeliveryState.Pending, Attempts = attempts, NextAttemptTime = Timestamp.FromDateTimeOffset(Now) };

    private static TimeSpan WaitOf(Delivery delivery) => delivery.NextAttemptTime.ToDateTimeOffset() - Now;

    [Fact]
    public void APushTheEntTook_IsDelivered_AndNotTriedAgain()
    {
        var delivery = Pending(1);

        DeliveryLifecycle.Record(delivery, new EntOutcome(EntOutcomeKind.Done), retracting: false, Now, Retries, jitter: 0);

        Assert.Equal((DeliveryState.Delivered, Now, null), (delivery.State, delivery.DeliveredAt.ToDateTimeOffset(), delivery.NextAttemptTime));
    }

    [Fact]
    public void ARetractionTheEntTook_IsRetracted()
    {
        var delivery = new Delivery { State = DeliveryState.Delivered, Attempts = 1, Retracting = true };

        DeliveryLifecycle.Record(delivery, new EntOutcome(EntOutcomeKind.Done), retracting: true, Now, Retries, jitter: 0);

        Assert.Equal((DeliveryState.Retracted, false, Now), (delivery.State, delivery.Retracting, delivery.RetractedAt.ToDateTimeOffset()));
    }

    [Theory]
    [InlineData(1, 0.0, 1)]
    [InlineData(1, 1.0, 2)]
    [InlineData(3, 0.0, 4)]
    [InlineData(3, 1.0, 8)]
    public void AnAttemptToRetry_WaitsHalfToAllOfTheDoubledBackOff(int attempts, double jitter, int seconds)
    {
        var delivery = Pending(attempts);

        DeliveryLifecycle.Record(delivery, new EntOutcome(EntOutcomeKind.Retry, "503"), retracting: false, Now, Retries, jitter);

        Assert.Equal((DeliveryState.Pending, TimeSpan.FromSeconds(seconds), "503"), (delivery.State, WaitOf(delivery), delivery.LastError));
    }

    [Fact]
    public void TheLastAttemptFailing_FailsTheDelivery()
    {
        var delivery = Pending(Retries.MaxAttempts);

        DeliveryLifecycle.Record(delivery, new EntOutcome(EntOutcomeKind.Retry, "503"), retracting: false, Now, Retries, jitter: 0.5);

        Assert.Equal((DeliveryState.Failed, null), (delivery.State, delivery.NextAttemptTime));
    }

    [Fact]
    public void AWaitTheEntAskedFor_IsKept_UpToTheLongestBackOff()
    {
        var asked = Pending(1);
        var tooLong = Pending(1);

        DeliveryLifecycle.Record(asked, new EntOutcome(EntOutcomeKind.Retry, "429", TimeSpan.FromSeconds(30)), retracting: false, Now, Retries, jitter: 0);
        DeliveryLifecycle.Record(tooLong, new EntOutcome(EntOutcomeKind.Retry, "429", TimeSpan.FromHours(2)), retracting: false, Now, Retries, jitter: 0);

        Assert.Equal((TimeSpan.FromSeconds(30), Retries.MaxDelay), (WaitOf(asked), WaitOf(tooLong)));
    }

    [Fact]
    public void ABackOff_NeverExceedsTheLongest() =>
        Assert.Equal(Retries.MaxDelay, Retries.Backoff(attempt: 40, jitter: 1));

    [Fact]
    public void ARetractionRefused_LeavesTheDeliveryAsItWas_SayingWhy()
    {
        var delivery = new Delivery { State = DeliveryState.Delivered, Attempts = 1, Retracting = true };

        DeliveryLifecycle.Record(delivery, new EntOutcome(EntOutcomeKind.Failed, "404"), retracting: true, Now, Retries, jitter: 0);

        Assert.Equal((DeliveryState.Delivered, false, "Retrait refusé par l'ENT : 404"), (delivery.State, delivery.Retracting, delivery.LastError));
    }

    [Fact]
    public void ARetractionToRetry_IsTriedAgainAfterTheThirdBackOff_WhateverTheAttempts()
    {
        var delivery = new Delivery { State = DeliveryState.Delivered, Attempts = Retries.MaxAttempts, Retracting = true };

        DeliveryLifecycle.Record(delivery, new EntOutcome(EntOutcomeKind.Retry, "503"), retracting: true, Now, Retries, jitter: 1);

        Assert.Equal((DeliveryState.Delivered, true, TimeSpan.FromSeconds(8)), (delivery.State, delivery.Retracting, WaitOf(delivery)));
    }

    [Fact]
    public void APushRefused_FailsAtOnce()
    {
        var delivery = Pending(1);

        DeliveryLifecycle.Record(delivery, new EntOutcome(EntOutcomeKind.Failed, "400 UAI inconnu"), retracting: false, Now, Retries, jitter: 0);

        Assert.Equal((DeliveryState.Failed, "400 UAI inconnu"), (delivery.State, delivery.LastError));
    }

    [Fact]
    public void AMessagesDeliveries_AddUpByState()
    {
        var summary = DeliveryLifecycle.Summarize([
            new Delivery { State = DeliveryState.Delivered }, new Delivery { State = DeliveryState.Delivered },
            new Delivery { State = DeliveryState.Pending }, new Delivery { State = DeliveryState.Failed }, new Delivery { State = DeliveryState.Retracted },
        ]);

        Assert.Equal((1, 2, 1, 1), (summary.Pending, summary.Delivered, summary.Failed, summary.Retracted));
    }
}
