using System.Net;
using Ent.Partnership.Notifications.Domain;
using Ent.Partnership.Notifications.V1;
using State = Ent.Partnership.Notifications.V1.Delivery.Types.State;

namespace Ent.Partnership.Notifications.Tests;

public sealed class DeliveryOutcomesTests
{
    private static readonly DateTimeOffset First = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly RetryPolicy Policy = new() { BaseDelay = TimeSpan.FromSeconds(5), MaxDelay = TimeSpan.FromHours(1), Window = TimeSpan.FromHours(24) };

    [Theory]
    [InlineData(HttpStatusCode.OK)]
    [InlineData(HttpStatusCode.NoContent)]
    [InlineData(HttpStatusCode.Accepted)]
    public void A2xx_IsDelivered(HttpStatusCode status)
    {
        var delivery = Attempted(1);
        DeliveryOutcomes.Record(delivery, PostOutcome.Answered(status, null), First, First, Policy, 0.5);

        Assert.Equal((State.Delivered, (int)status, null), (delivery.State, delivery.LastStatusCode, delivery.NextAttemptTime));
    }

    [Theory]
    [InlineData(HttpStatusCode.MovedPermanently)]
    [InlineData(HttpStatusCode.Found)]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.NotFound)]
    public void A3xxOr4xx_IsFailedAtOnce(HttpStatusCode status)
    {
        var delivery = Attempted(1);
        DeliveryOutcomes.Record(delivery, PostOutcome.Answered(status, null), First, First, Policy, 0.5);

        Assert.Equal(State.Failed, delivery.State);
        Assert.Null(delivery.NextAttemptTime);
    }

    [Fact]
    public void A5xxTimeOutOrRefusedConnection_IsRetried_WithABackOffThatDoubles()
    {
        var afterOne = Attempted(1);
        var afterThree = Attempted(3);
        var unreachable = Attempted(1);
        DeliveryOutcomes.Record(afterOne, PostOutcome.Answered(HttpStatusCode.ServiceUnavailable, null), First, First, Policy, 1);
        DeliveryOutcomes.Record(afterThree, PostOutcome.Answered(HttpStatusCode.InternalServerError, null), First, First, Policy, 1);
        DeliveryOutcomes.Record(unreachable, PostOutcome.Unreachable("Connexion impossible"), First, First, Policy, 1);

        Assert.Equal((State.Pending, First.AddSeconds(5)), (afterOne.State, afterOne.NextAttemptTime.ToDateTimeOffset()));
        Assert.Equal((State.Pending, First.AddSeconds(20)), (afterThree.State, afterThree.NextAttemptTime.ToDateTimeOffset()));
        Assert.Equal((State.Pending, false), (unreachable.State, unreachable.HasLastStatusCode));
    }

    [Fact]
    public void A429_WaitsForItsRetryAfter_WhenLongerThanTheBackOff()
    {
        var delivery = Attempted(1);
        DeliveryOutcomes.Record(delivery, PostOutcome.Answered(HttpStatusCode.TooManyRequests, TimeSpan.FromMinutes(2)), First, First, Policy, 0);

        Assert.Equal((State.Pending, First.AddMinutes(2)), (delivery.State, delivery.NextAttemptTime.ToDateTimeOffset()));
    }

    [Fact]
    public void Failures_StopBeingRetried_24HoursAfterTheFirstAttempt()
    {
        var delivery = Attempted(30);
        var late = First.AddHours(23.5);
        DeliveryOutcomes.Record(delivery, PostOutcome.Answered(HttpStatusCode.BadGateway, null), First, late, Policy, 1);

        Assert.Equal(State.Failed, delivery.State);
        Assert.Contains("24 heures", delivery.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void ARefusedAddress_IsFailedAtOnce_SayingWhy()
    {
        var delivery = Attempted(1);
        DeliveryOutcomes.Record(delivery, PostOutcome.Refused("« evil.example » mène à 10.0.0.5 (adresse privée) : refusé."), First, First, Policy, 0.5);

        Assert.Equal((State.Failed, "« evil.example » mène à 10.0.0.5 (adresse privée) : refusé."), (delivery.State, delivery.LastError));
    }

    private static Delivery Attempted(int attempts) => new() { State = State.Pending, Attempts = attempts };
}
