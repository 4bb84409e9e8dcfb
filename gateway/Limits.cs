using System.Globalization;
using System.Threading.RateLimiting;
using Ent.Partnership.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Ent.Partnership.Gateway;

/// <summary>What protects the services from a partner: a token bucket per key, and bounded request bodies.</summary>
public static class Limits
{
    /// <summary>
    /// One token bucket per key; a request without a key (refused anyway,
    /// or outside <c>/v1</c>) is not limited. A key whose rate changes in configuration gets a new bucket.
    /// </summary>
    public static IServiceCollection AddKeyRateLimits(this IServiceCollection services) =>
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.Items[KeyedCaller.ItemKey] is KeyedCaller caller
                    ? RateLimitPartition.GetTokenBucketLimiter($"{caller.KeyId}:{caller.RateLimit.PerSecond}:{caller.RateLimit.Burst}", _ => Bucket(caller.RateLimit))
                    : RateLimitPartition.GetNoLimiter(""));
            options.OnRejected = async (rejected, _) =>
            {
                var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
                rejected.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await ErrorResponses.WriteAsync(rejected.HttpContext,
                    ErrorResponses.ForHttpStatus(StatusCodes.Status429TooManyRequests, rejected.HttpContext.Request.Path), StatusCodes.Status429TooManyRequests);
            };
        });

    /// <summary>Refilled ten times a second, or once per token when the rate is lower than ten a second.</summary>
    private static TokenBucketRateLimiterOptions Bucket(RateLimitOptions rate)
    {
        var perSecond = Math.Max(1, rate.PerSecond);
        var tokens = Math.Max(1, perSecond / 10);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, rate.Burst),
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = TimeSpan.FromSeconds((double)tokens / perSecond),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    /// <summary>
    /// 415 for a body that is not declared JSON; 413 for a body declared larger than the path allows (1 MiB,
    /// 16 MiB for <c>:importSchools</c>); a body sent without a length is cut at the same size as it is read.
    /// </summary>
    public static IApplicationBuilder UseBodyLimits(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            // Kestrel answers a longer request line itself, with an empty 414; the services behind would too.
            if ((context.Request.Path.Value?.Length ?? 0) + (context.Request.QueryString.Value?.Length ?? 0) > MaxUriLength)
            {
                await ErrorResponses.WriteAsync(context, ErrorResponses.ForHttpStatus(StatusCodes.Status414UriTooLong, "/"), StatusCodes.Status414UriTooLong);
                return;
            }

            if (context.Request.Path.StartsWithSegments("/v1") && context.Request.ContentLength != 0 && (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
                && !IsJson(context.Request.ContentType))
            {
                await ErrorResponses.WriteAsync(context, ErrorResponses.ForHttpStatus(StatusCodes.Status415UnsupportedMediaType, context.Request.Path), StatusCodes.Status415UnsupportedMediaType);
                return;
            }

            var options = context.RequestServices.GetRequiredService<IOptionsMonitor<GatewayOptions>>().CurrentValue;
            var limit = context.Request.Path.Value?.EndsWith(":importSchools", StringComparison.Ordinal) == true ? options.MaxImportBytes : options.MaxBodyBytes;
            if (context.Request.ContentLength > limit)
            {
                await ErrorResponses.WriteAsync(context, ErrorResponses.ForHttpStatus(StatusCodes.Status413PayloadTooLarge, context.Request.Path), StatusCodes.Status413PayloadTooLarge);
                return;
            }

            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = limit;
            }

            await next(context);
        });

    /// <summary>The longest path and query the gateway forwards: the services' request line limit is 8 KiB.</summary>
    public const int MaxUriLength = 8000;

    /// <summary>What Kestrel accepts before answering by itself: far above <see cref="MaxUriLength"/>, so that the gateway answers.</summary>
    public const int MaxRequestLineBytes = 1024 * 1024;

    /// <summary><c>application/json</c>, or a <c>+json</c> type, with any parameters.</summary>
    private static bool IsJson(string? contentType) =>
        System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var type)
        && (type.MediaType == "application/json" || type.MediaType?.EndsWith("+json", StringComparison.Ordinal) == true);
}
