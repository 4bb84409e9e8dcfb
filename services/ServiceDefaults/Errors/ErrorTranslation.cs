using Grpc.Core;

namespace Ent.Partnership.ServiceDefaults.Errors;

/// <summary>
/// What a failure means to a caller: the domain's own exceptions as they are, a service this one called that
/// did not answer as UNAVAILABLE or DEADLINE_EXCEEDED, and what the building blocks' translators recognise
/// (Redis down). Null for a failure nobody recognises: a fault in the code.
/// </summary>
public sealed class ErrorTranslation(IEnumerable<IErrorTranslator> translators)
{
    public DomainException? Translate(Exception exception) => exception switch
    {
        DomainException domain => domain,
        RpcException { StatusCode: StatusCode.Unavailable } => new UnavailableException("Un service dont dépend cette demande ne répond pas ; réessayez plus tard.", inner: exception),
        RpcException { StatusCode: StatusCode.DeadlineExceeded } => new UnavailableException("Un service dont dépend cette demande n'a pas répondu à temps ; réessayez plus tard.", timedOut: true, inner: exception),
        _ => translators.Select(t => t.Translate(exception)).FirstOrDefault(t => t is not null),
    };

    /// <summary>"Not now" rather than "never": what it needs did not answer, and trying later may succeed.</summary>
    public bool IsTransient(Exception exception) => Translate(exception) is UnavailableException;
}
