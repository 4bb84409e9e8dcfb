using Ent.Partnership.Conventions.V1;
using Ent.Partnership.Obligations.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;
using Grpc.Core;
using ObligationStatus = Ent.Partnership.Obligations.V1.Obligation.Types.Status;

namespace Ent.Partnership.Conventions.Application;

/// <summary>The obligations service as a steering committee's waiver needs it: the obligation it names, as that service holds it.</summary>
public sealed class ObligationLookup(Obligations.V1.Obligations.ObligationsClient obligations)
{
    private const string Field = "decision.waiveObligation.obligation";

    /// <summary>
    /// A waiveObligation decision, whatever its outcome, names an open obligation of the meeting's convention;
    /// the obligations service not answering is UNAVAILABLE (the decision is not recorded).
    /// </summary>
    public async Task CheckWaiverAsync(string convention, Decision decision)
    {
        if (decision.EffectCase != Decision.EffectOneofCase.WaiveObligation)
        {
            return;
        }

        var name = decision.WaiveObligation.Obligation;
        Obligation obligation;
        try
        {
            obligation = await obligations.GetObligationAsync(new GetObligationRequest { Name = name });
        }
        catch (RpcException exception) when (exception.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            throw new InvalidArgumentException(Field, $"L'obligation {name} n'existe pas.");
        }

        if (obligation.Convention != convention)
        {
            throw new InvalidArgumentException(Field, $"L'obligation {name} relève de {obligation.Convention}, non de {convention}.");
        }

        if (obligation.Status is ObligationStatus.Fulfilled or ObligationStatus.Waived or ObligationStatus.Superseded or ObligationStatus.Cancelled)
        {
            throw new FailedPreconditionException("OBLIGATION_NOT_WAIVABLE", name,
                $"L'obligation est {ProtoEnum.Name(obligation.Status)} : il n'y a plus rien à lever.");
        }
    }
}
