using Dapr;
using Ent.Partnership.ServiceDefaults.Errors;
using Grpc.Core;

namespace Ent.Partnership.Dapr;

/// <summary>The Dapr sidecar not answering (restarting, unreachable, too slow) is UNAVAILABLE to the caller: a retry will do.</summary>
public sealed class DaprErrorTranslator : IErrorTranslator
{
    public DomainException? Translate(Exception exception) => exception is DaprException { InnerException: RpcException rpc } && IsTransient(exception)
        ? new UnavailableException("Le stockage ne répond pas ; réessayez plus tard.", timedOut: rpc.StatusCode == StatusCode.DeadlineExceeded, inner: exception)
        : null;

    public static bool IsTransient(Exception exception) =>
        exception is DaprException { InnerException: RpcException { StatusCode: StatusCode.Unavailable or StatusCode.DeadlineExceeded } };
}
