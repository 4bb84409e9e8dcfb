using Ent.Partnership.ServiceDefaults.Identity;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;

namespace Ent.Partnership.ServiceDefaults.Grpc;

/// <summary>Clients of the other services: discovered by name, identified, bounded in time, never retried blindly.</summary>
public static class GrpcClientExtensions
{
    /// <summary>Every outbound call without a deadline of its own, or a propagated one, gets this one.</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A gRPC client of the service that Aspire names <paramref name="serviceName"/>, reached on its
    /// <c>grpc</c> endpoint. The caller's deadline and cancellation propagate to it.
    /// </summary>
    public static IHttpClientBuilder AddPartnershipGrpcClient<TClient>(this IServiceCollection services, string serviceName)
        where TClient : class
    {
        // Deadlines travel to the server, which compares them with its own clock: the system's time.
        services.AddTransient(sp => new OutboundCallInterceptor(
            sp.GetRequiredService<InternalToken>(), sp.GetRequiredService<ServiceIdentity>(), TimeProvider.System));
        var client = services.AddGrpcClient<TClient>(options => options.Address = new Uri($"http://_grpc.{serviceName}"))
            .EnableCallContextPropagation(options => options.SuppressContextNotFoundErrors = true)
            .AddInterceptor<OutboundCallInterceptor>();

        // The standard resilience handler would retry calls that are not idempotent (CreateX); gRPC callers
        // decide for themselves what is safe to retry.
#pragma warning disable EXTEXP0001 // Experimental, and the documented way to opt one client out.
        return client.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }
}

/// <summary>Adds this service's token and a deadline to every outbound call.</summary>
public sealed class OutboundCallInterceptor(InternalToken tokens, ServiceIdentity identity, TimeProvider time) : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithIdentityAndDeadline(context));

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithIdentityAndDeadline(context));

    private ClientInterceptorContext<TRequest, TResponse> WithIdentityAndDeadline<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class
    {
        var headers = context.Options.Headers ?? [];
        headers.Add("authorization", "Bearer " + tokens.IssueForService(identity.Name));
        var deadline = context.Options.Deadline ?? time.GetUtcNow().UtcDateTime + GrpcClientExtensions.DefaultDeadline;
        var options = context.Options.WithHeaders(headers).WithDeadline(deadline);
        return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, options);
    }
}
