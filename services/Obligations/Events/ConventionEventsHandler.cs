using Ent.Partnership.Conventions.V1;
using Ent.Partnership.Obligations.Application;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.Storage;

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
                var created = await catalog.ReconcileAsync(convention, DateOnly.MinValue, "Entrée en vigueur");
                logger.LogInformation("{Convention} in force: {Created} obligations made", convention.Name, created);
                break;
            case Prefix + nameof(ConventionAmended):
                var amended = received.DataAs(ConventionAmended.Parser);
                // Events of amendments applied before effective dates existed apply from the day they are read.
                var from = CivilDate.ParseOptional(amended.EffectiveDate, "effectiveDate") ?? catalog.Today;
                await catalog.KeepConventionAsync(amended.Convention, inForce: true);
                var written = await catalog.ReconcileAsync(amended.Convention, from, $"Avenant {amended.Amendment}");
                logger.LogInformation("{Convention} amended by {Amendment} from {From}: {Written} obligations written",
                    amended.Convention.Name, amended.Amendment, from, written);
                break;
            case Prefix + nameof(ConventionTerminationScheduled):
                // No period starting on or after the day is planned; the obligations end on that day.
                await catalog.UpdateConventionAsync(received.DataAs(ConventionTerminationScheduled.Parser).Convention);
                break;
            case Prefix + nameof(ConventionTerminationCancelled):
                await catalog.UpdateConventionAsync(received.DataAs(ConventionTerminationCancelled.Parser).Convention);
                break;
            case Prefix + nameof(ConventionTerminated):
                var terminated = received.DataAs(ConventionTerminated.Parser);
                var day = CivilDate.ParseOptional(terminated.EffectiveDate, "effectiveDate") ?? catalog.Today;
                await catalog.EndConventionAsync(terminated.Convention, day, $"Résiliée le {day.ToText()}");
                break;
            case Prefix + nameof(ConventionExpired):
                var expired = received.DataAs(ConventionExpired.Parser);
                var settlement = (CivilDate.ParseOptional(expired.EndDate, "endDate") ?? catalog.Today.AddDays(-1)).AddDays(1);
                await catalog.EndConventionAsync(expired.Convention, settlement, $"Convention échue le {expired.EndDate}");
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
