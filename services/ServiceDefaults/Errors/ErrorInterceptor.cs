using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace Ent.Partnership.ServiceDefaults.Errors;

/// <summary>
/// Turns the domain's exceptions into gRPC statuses with rich details, in one place; so too the failures
/// that <see cref="ErrorTranslation"/> recognises (a service this one called, or Redis, not answering).
/// </summary>
public sealed class ErrorInterceptor(ErrorTranslation translation, ILogger<ErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (DomainException exception)
        {
            logger.LogInformation("{Method} refused: {Reason}", context.Method, exception.Message);
            throw ErrorStatus.From(exception).ToRpcException();
        }
        catch (Exception exception) when (translation.Translate(exception) is { } translated)
        {
            logger.LogWarning(exception, "{Method} refused: {Reason}", context.Method, translated.Message);
            throw ErrorStatus.From(translated).ToRpcException();
        }
    }
}
