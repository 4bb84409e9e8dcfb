using Ent.Partnership.Communications.Storage;
using Ent.Partnership.Conventions.V1;
using Ent.Partnership.Storage;

namespace Ent.Partnership.Communications.Events;

/// <summary>What the conventions service's events teach the communications service: conventions in force and their charters.</summary>
public sealed class ConventionEventsHandler(CommunicationRepository repository, ILogger<ConventionEventsHandler> logger) : IEventHandler
{
    public const string Stream = "conventions:events";

    private const string Prefix = "ent.partnership.conventions.v1.";

    public async Task HandleAsync(ReceivedEvent received, CancellationToken cancellationToken)
    {
        switch (received.Type)
        {
            case Prefix + nameof(ConventionInForce):
                await repository.KeepConventionAsync(received.DataAs(ConventionInForce.Parser).Convention);
                break;
            case Prefix + nameof(ConventionAmended):
                await repository.KeepConventionAsync(received.DataAs(ConventionAmended.Parser).Convention);
                break;
            case Prefix + nameof(ConventionTerminated):
                await repository.EndConventionAsync(received.DataAs(ConventionTerminated.Parser).Convention, Convention.Types.State.Terminated);
                break;
            case Prefix + nameof(ConventionExpired):
                await repository.EndConventionAsync(received.DataAs(ConventionExpired.Parser).Convention, Convention.Types.State.Expired);
                break;
            case Prefix + nameof(CharterValidated):
                var validated = received.DataAs(CharterValidated.Parser);
                await repository.KeepCharterAsync(validated);
                logger.LogInformation("Charter of {Convention} (revision {Revision}) validated on {Day}", validated.Convention, validated.Revision, validated.ValidatedOn);
                break;
        }
    }
}
