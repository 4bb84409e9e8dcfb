using Ent.Partnership.ServiceDefaults.Errors;
using StackExchange.Redis;

namespace Ent.Partnership.Redis;

/// <summary>Redis not answering (restarting, unreachable, too slow) is UNAVAILABLE to the caller, not an internal error: a retry will do.</summary>
public sealed class RedisErrorTranslator : IErrorTranslator
{
    public DomainException? Translate(Exception exception) => exception switch
    {
        RedisConnectionException => new UnavailableException("Le stockage ne répond pas ; réessayez plus tard.", inner: exception),
        RedisTimeoutException => new UnavailableException("Le stockage n'a pas répondu à temps ; réessayez plus tard.", timedOut: true, inner: exception),
        _ => null,
    };
}
