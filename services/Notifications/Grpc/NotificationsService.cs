using Ent.Partnership.Notifications.Application;
using Ent.Partnership.Notifications.V1;
using Ent.Partnership.ServiceDefaults.Identity;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Ent.Partnership.Notifications.Grpc;

/// <summary>The Notifications gRPC service (and its REST API): every role keeps its own webhooks.</summary>
public sealed class NotificationsService(WebhookCatalog catalog) : V1.Notifications.NotificationsBase
{
    public override Task<Webhook> CreateWebhook(CreateWebhookRequest request, ServerCallContext context) =>
        catalog.CreateAsync(RequesterOf(context), request.Webhook, request.WebhookId, request.RequestId, context.CancellationToken);

    public override Task<Webhook> GetWebhook(GetWebhookRequest request, ServerCallContext context) =>
        catalog.GetAsync(RequesterOf(context), request.Name);

    public override async Task<ListWebhooksResponse> ListWebhooks(ListWebhooksRequest request, ServerCallContext context)
    {
        var (webhooks, next) = await catalog.ListAsync(RequesterOf(context), request.PageSize, request.PageToken);
        return new ListWebhooksResponse { Webhooks = { webhooks }, NextPageToken = next };
    }

    public override Task<Webhook> UpdateWebhook(UpdateWebhookRequest request, ServerCallContext context) =>
        catalog.UpdateAsync(RequesterOf(context), request.Webhook, request.UpdateMask, context.CancellationToken);

    public override async Task<Empty> DeleteWebhook(DeleteWebhookRequest request, ServerCallContext context)
    {
        await catalog.DeleteAsync(RequesterOf(context), request.Name, request.Etag);
        return new Empty();
    }

    public override async Task<ListDeliveriesResponse> ListDeliveries(ListDeliveriesRequest request, ServerCallContext context)
    {
        var (deliveries, next) = await catalog.ListDeliveriesAsync(RequesterOf(context), request.Parent, request.PageSize, request.PageToken, request.Filter);
        return new ListDeliveriesResponse { Deliveries = { deliveries }, NextPageToken = next };
    }

    public override Task<Delivery> RedeliverDelivery(RedeliverDeliveryRequest request, ServerCallContext context) =>
        catalog.RedeliverAsync(RequesterOf(context), request.Name);

    public override Task<Delivery> PingWebhook(PingWebhookRequest request, ServerCallContext context) =>
        catalog.PingAsync(RequesterOf(context), request.Name);

    private static Requester RequesterOf(ServerCallContext context) =>
        Requester.Of(context.GetCaller(), Actor.Of(context.GetHttpContext().User));
}
