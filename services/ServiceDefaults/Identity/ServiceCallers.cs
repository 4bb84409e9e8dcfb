using System.Security.Claims;
using Ent.Partnership.ServiceDefaults.Errors;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Http;

namespace Ent.Partnership.ServiceDefaults.Identity;

/// <summary>
/// The other services whose own identity may call this operation (SPEC section 15): communications reads
/// the parties, conventions checks an obligation before a waiver. An operation without it answers no service.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ServiceCallersAttribute(params string[] services) : Attribute
{
    public IReadOnlySet<string> Services { get; } = services.ToHashSet(StringComparer.Ordinal);
}

/// <summary>
/// Refuses a service's own identity (PERMISSION_DENIED) on an operation that does not list it; partners' and
/// persons' identities pass, their roles are checked by the operation.
/// </summary>
public sealed class ServiceCallersInterceptor : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    private static void Check(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        if (http.User.FindFirstValue(InternalToken.ServiceClaim) is not { } service)
        {
            return;
        }

        if (http.GetEndpoint()?.Metadata.GetMetadata<ServiceCallersAttribute>()?.Services.Contains(service) != true)
        {
            throw new PermissionDeniedException($"Le service {service} n'est pas de ceux qui peuvent appeler {context.Method}.");
        }
    }
}
