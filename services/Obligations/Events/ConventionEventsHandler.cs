using Ent.Partnership.Conventions.V1;
using Ent.Partnership.Obligations.Application;
using Ent.Partnership.Redis;

namespace Ent.Partnership.Obligations.Events;

/// <summary>What the conventions service's events mean for obligations.</summary>
public sealed class ConventionEventsHandler(ObligationCatalog catalog, ILogger<ConventionEventsHandler> logger) : IEventHandler
{
    public const string Stream = "conventions:events";

    private const string Prefix = "ent.partnership.conventions.v1.";

    public async Task HandleAsync(ReceivedEvent received, CancellationToken cancellationToken)
    {
        switch (received.Type)
        {
            case Prefix + nameof(ConventionInForce):
                var convention = received.DataAs(ConventionInForce.Parser).Convention;
                await catalog.KeepConventionAsync(convention, inForce: true);
                var created = await catalog.PlanAsync(convention);
                logger.LogInformation("{Convention} in force: {Created} obligations made", convention.Name, created);
                break;
            case Prefix + nameof(ConventionAmended):
                var amended = received.DataAs(ConventionAmended.Parser);
                await catalog.KeepConventionAsync(amended.Convention, inForce: true);
                await catalog.SupersedeAsync(amended.Convention, amended.ChangedClauses, amended.Amendment);
                break;
            case Prefix + nameof(ConventionTerminated):
                await catalog.ForgetConventionAsync(received.DataAs(ConventionTerminated.Parser).Convention);
                break;
            case Prefix + nameof(ConventionExpired):
                await catalog.ForgetConventionAsync(received.DataAs(ConventionExpired.Parser).Convention);
                break;
            case Prefix + nameof(DecisionRecorded):
                var decision = received.DataAs(DecisionRecorded.Parser);
                if (decision.Decision is { EffectCase: Decision.EffectOneofCase.WaiveObligation, Outcome: Decision.Types.Outcome.Approved })
                {
                    await catalog.WaiveAsync(decision.Decision.WaiveObligation.Obligation, $"{decision.Meeting}/decisions/{decision.Decision.DecisionId}");
                }

                break;
        }
    }
}
