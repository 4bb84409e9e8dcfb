using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Empty = Google.Protobuf.WellKnownTypes.Empty;

namespace Ent.Partnership.Tests.Support;

/// <summary>
/// A stand-in for the Dapr sidecar, for tests on machines where no Dapr runtime can be installed: the part
/// of its gRPC API the adapters call (<c>dapr.proto.runtime.v1.Dapr</c>: GetState, GetBulkState, SaveState,
/// DeleteState, ExecuteStateTransaction, PublishEvent), on a real redis-server, with the semantics the
/// adapters rely on: numeric ETags checked on every write and delete; with first-write concurrency a write
/// without ETag is refused when the item exists; <c>ttlInSeconds</c>; a transaction is all or nothing and
/// refused with ABORTED when an ETag does not match; and the transactional outbox: each item a transaction
/// upserts is published to the store's outbox topic in the same step. It also delivers topics to an app the
/// way the sidecar does: it reads the app's <c>GET /dapr/subscribe</c>, posts each message in a CloudEvent
/// envelope to its route, acknowledges on SUCCESS or DROP, delivers again on RETRY or an error, and moves a
/// message to the dead-letter topic after <see cref="MaxDeliveries"/>.
/// </summary>
public sealed class DaprSidecar : IAsyncLifetime
{
    public const string StoreName = "statestore";

    public const string PubSubName = "pubsub";

    /// <summary>The topic the state store's outbox publishes to.</summary>
    public const string OutboxTopic = "test-events";

    /// <summary>
    /// The topic a store's outbox publishes to: <see cref="OutboxTopic"/> for <see cref="StoreName"/>, and
    /// <c>{service}-events</c> for a service's own store <c>{service}-state</c>, as <c>deploy/dapr</c> configures them.
    /// </summary>
    public static string OutboxTopicOf(string store) =>
        store.EndsWith("-state", StringComparison.Ordinal) ? store[..^"-state".Length] + "-events" : OutboxTopic;

    public const int MaxDeliveries = 5;

    private readonly RedisServer _redis = new();
    private WebApplication? _app;

    public global::Dapr.Client.DaprClient Client { get; private set; } = null!;

    public IConnectionMultiplexer Redis => _redis.Connection;

    /// <summary>The redis-server under the stand-in, for whatever else a test runs on Redis beside it.</summary>
    public string RedisConnectionString => _redis.ConnectionString;

    /// <summary>Where the sidecar's gRPC API answers (what <c>DAPR_GRPC_ENDPOINT</c> names).</summary>
    public string GrpcEndpoint { get; private set; } = "";

    /// <summary>Where the sidecar's health answers (what <c>DAPR_HTTP_ENDPOINT</c> names).</summary>
    public string HttpEndpoint { get; private set; } = "";

    public static string TopicKey(string topic) => "dapr:topic:" + topic;

    /// <summary>The settings that put a service in <c>Storage:Mode=Dapr</c> on this stand-in.</summary>
    public IReadOnlyList<(string Key, string Value)> ServiceSettings =>
        [("Storage:Mode", "Dapr"), ("Storage:Dapr:StateStore", StoreName), ("DAPR_GRPC_ENDPOINT", GrpcEndpoint), ("DAPR_HTTP_ENDPOINT", HttpEndpoint)];

    public void ConfigureService(IWebHostBuilder builder)
    {
        foreach (var (key, value) in ServiceSettings)
        {
            builder.UseSetting(key, value);
        }
    }

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        var port = RedisServer.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var httpPort = RedisServer.FreePort();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenLocalhost(port, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.ListenLocalhost(httpPort, listen => listen.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(_redis.Connection);
        builder.Services.AddSingleton<SidecarApi>();
        builder.Services.AddSingleton<IServiceMethodProvider<SidecarApi>, SidecarMethods>();
        _app = builder.Build();
        _app.MapGrpcService<SidecarApi>();
        // What DaprClient.CheckHealthAsync asks, on the sidecar's HTTP port (DAPR_HTTP_ENDPOINT).
        _app.MapGet("/v1.0/healthz", () => Results.NoContent());
        await _app.StartAsync();
        GrpcEndpoint = $"http://127.0.0.1:{port}";
        HttpEndpoint = $"http://127.0.0.1:{httpPort}";
        Client = new global::Dapr.Client.DaprClientBuilder().UseGrpcEndpoint(GrpcEndpoint).Build();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        await _redis.DisposeAsync();
    }

    /// <summary>The messages published to a topic so far, as the subscriber's envelope carries them.</summary>
    public async Task<IReadOnlyList<string>> PublishedAsync(string topic) =>
        (await Redis.GetDatabase().StreamRangeAsync(TopicKey(topic))).Select(entry => (string)entry["data"]!).ToList();

    /// <summary>
    /// Delivers the topics <paramref name="app"/> subscribes to, as the consumer group <paramref name="appId"/>,
    /// until <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async Task DeliverAsync(HttpClient app, string appId, CancellationToken cancellationToken)
    {
        try
        {
            var subscriptions = await SubscriptionsAsync(app, cancellationToken);
            await Task.WhenAll(subscriptions.Select(subscription => DeliverTopicAsync(app, appId, subscription!, cancellationToken)));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped, maybe before the app answered.
        }
    }

    /// <summary>The app's subscriptions, asked until it answers: an app starting beside the sidecar may not listen yet.</summary>
    private static async Task<JsonArray> SubscriptionsAsync(HttpClient app, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                return await app.GetFromJsonAsync<JsonArray>("/dapr/subscribe", attempt.Token) ?? [];
            }
            catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
        }
    }

    private async Task DeliverTopicAsync(HttpClient app, string appId, JsonNode subscription, CancellationToken cancellationToken)
    {
        var topic = (string)subscription["topic"]!;
        var pubsub = (string)subscription["pubsubname"]!;
        var route = (string?)subscription["route"] ?? (string)subscription["routes"]!["default"]!;
        var deadLetter = (string?)subscription["deadLetterTopic"];
        var db = Redis.GetDatabase();
        try
        {
            await db.StreamCreateConsumerGroupAsync(TopicKey(topic), appId, StreamPosition.Beginning, createStream: true);
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
        }

        var deliveries = new Dictionary<string, int>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var entries = (await db.StreamReadGroupAsync(TopicKey(topic), appId, "stand-in", "0", 50))
                    .Concat(await db.StreamReadGroupAsync(TopicKey(topic), appId, "stand-in", ">", 50))
                    .ToList();
                var retried = false;
                foreach (var entry in entries)
                {
                    var delivered = await PostAsync(app, route, Envelope(entry, topic, pubsub), cancellationToken);
                    deliveries[entry.Id!] = deliveries.GetValueOrDefault(entry.Id!) + 1;
                    if (delivered || deliveries[entry.Id!] >= MaxDeliveries)
                    {
                        if (!delivered && deadLetter is not null)
                        {
                            await db.StreamAddAsync(TopicKey(deadLetter), [new NameValueEntry("contenttype", entry["contenttype"]), new NameValueEntry("data", entry["data"])]);
                        }

                        await db.StreamAcknowledgeAsync(TopicKey(topic), appId, entry.Id);
                    }

                    retried |= !delivered;
                }

                if (entries.Count == 0 || retried)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(retried ? 100 : 20), cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The sidecar's CloudEvent around a message: its data as JSON when it is JSON, else in base 64.</summary>
    private static string Envelope(StreamEntry entry, string topic, string pubsub)
    {
        var envelope = new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = Guid.NewGuid().ToString(),
            ["source"] = "dapr-stand-in",
            ["type"] = "com.dapr.event.sent",
            ["topic"] = topic,
            ["pubsubname"] = pubsub,
            ["datacontenttype"] = (string?)entry["contenttype"],
        };
        var data = (byte[])entry["data"]!;
        try
        {
            envelope["data"] = JsonNode.Parse(data);
        }
        catch (JsonException)
        {
            envelope["data_base64"] = Convert.ToBase64String(data);
        }

        return envelope.ToJsonString();
    }

    private static async Task<bool> PostAsync(HttpClient app, string route, string envelope, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await app.PostAsync(route, new StringContent(envelope, Encoding.UTF8, "application/cloudevents+json"), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var status = body.Length == 0 ? "SUCCESS" : (string?)JsonNode.Parse(body)?["status"] ?? "SUCCESS";
            return status is "SUCCESS" or "DROP";
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>The sidecar's state and publish methods, on Redis.</summary>
    private sealed class SidecarApi(IConnectionMultiplexer redis)
    {
        private IDatabase Db => redis.GetDatabase();

        private static RedisKey StateKey(string store, string key) => $"dapr:state:{store}:{key}";

        public async Task<GetStateResponse> GetStateAsync(GetStateRequest request)
        {
            var values = await Db.HashGetAsync(StateKey(request.StoreName, request.Key), ["data", "version"]);
            return values[1].IsNull
                ? new GetStateResponse()
                : new GetStateResponse { Data = ByteString.CopyFrom((byte[])values[0]!), Etag = values[1].ToString() };
        }

        public async Task<GetBulkStateResponse> GetBulkStateAsync(GetBulkStateRequest request)
        {
            var response = new GetBulkStateResponse();
            foreach (var key in request.Keys)
            {
                var item = await GetStateAsync(new GetStateRequest { StoreName = request.StoreName, Key = key });
                response.Items.Add(new BulkStateItem { Key = key, Data = item.Data, Etag = item.Etag });
            }

            return response;
        }

        public async Task<Empty> SaveStateAsync(SaveStateRequest request)
        {
            await ExecuteAsync(request.StoreName, request.States.Select(item => ("upsert", item)).ToList(), outbox: false);
            return new Empty();
        }

        public async Task<Empty> DeleteStateAsync(DeleteStateRequest request)
        {
            var item = new StateItem { Key = request.Key, Etag = request.Etag, Options = request.Options };
            await ExecuteAsync(request.StoreName, [("delete", item)], outbox: false);
            return new Empty();
        }

        public async Task<Empty> ExecuteStateTransactionAsync(ExecuteStateTransactionRequest request)
        {
            await ExecuteAsync(request.StoreName, request.Operations.Select(op => (op.OperationType, op.Request)).ToList(), outbox: true);
            return new Empty();
        }

        public async Task<Empty> PublishEventAsync(PublishEventRequest request)
        {
            await Db.StreamAddAsync(TopicKey(request.Topic), [new NameValueEntry("contenttype", request.DataContentType), new NameValueEntry("data", request.Data.ToByteArray())]);
            return new Empty();
        }

        /// <summary>
        /// Checks every ETag, then writes, in one script; with the outbox, each upserted item (or its
        /// projection, an operation on the same key marked <c>outbox.projection</c>, which is not stored) is
        /// published to the outbox topic in the same step.
        /// </summary>
        private async Task ExecuteAsync(string store, IReadOnlyList<(string Operation, StateItem Item)> operations, bool outbox)
        {
            static bool IsProjection(StateItem item) => item.Metadata.TryGetValue("outbox.projection", out var value) && value == "true";
            var stored = operations.Where(op => !IsProjection(op.Item)).ToList();
            var projections = operations.Where(op => IsProjection(op.Item)).ToDictionary(op => op.Item.Key, op => op.Item);
            var keys = stored.Select(op => StateKey(store, op.Item.Key)).Append(TopicKey(OutboxTopicOf(store))).ToArray();
            var args = new List<RedisValue> { stored.Count };
            foreach (var (operation, item) in stored)
            {
                args.AddRange([
                    operation == "delete" ? "d" : "u",
                    item.Etag?.Value ?? "",
                    item.Options?.Concurrency == StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite ? "1" : "0",
                    item.Metadata.TryGetValue("ttlInSeconds", out var ttl) ? ttl : "",
                    item.Value.ToByteArray(),
                ]);
            }

            var published = outbox ? stored.Where(op => op.Operation == "upsert").Select(op => projections.GetValueOrDefault(op.Item.Key, op.Item)).ToList() : [];
            args.Add(published.Count);
            foreach (var item in published)
            {
                args.AddRange([item.Metadata.GetValueOrDefault("contentType", "application/json"), item.Value.ToByteArray()]);
            }

            var result = (RedisResult[])(await Db.ScriptEvaluateAsync(Script, keys, [.. args]))!;
            if ((string)result[0]! != "ok")
            {
                throw new RpcException(new Status(StatusCode.Aborted, $"possible etag mismatch on {stored[(int)result[1] - 1].Item.Key}"));
            }
        }

        private const string Script = """
            local n = tonumber(ARGV[1])
            local a = 2
            for i = 1, n do
              local kind, etag, first = ARGV[a], ARGV[a + 1], ARGV[a + 2]
              local version = redis.call('HGET', KEYS[i], 'version')
              if etag ~= '' then
                if version ~= etag then return {'etag', i} end
              elseif first == '1' and kind == 'u' and version then
                return {'etag', i}
              end
              a = a + 5
            end
            a = 2
            for i = 1, n do
              if ARGV[a] == 'd' then
                redis.call('DEL', KEYS[i])
              else
                redis.call('HINCRBY', KEYS[i], 'version', 1)
                redis.call('HSET', KEYS[i], 'data', ARGV[a + 4])
                if ARGV[a + 3] ~= '' then redis.call('EXPIRE', KEYS[i], ARGV[a + 3]) else redis.call('PERSIST', KEYS[i]) end
              end
              a = a + 5
            end
            local m = tonumber(ARGV[a])
            a = a + 1
            for j = 1, m do
              redis.call('XADD', KEYS[n + 1], '*', 'contenttype', ARGV[a], 'data', ARGV[a + 1])
              a = a + 2
            end
            return {'ok'}
            """;
    }

    /// <summary>Binds the sidecar's method names to <see cref="SidecarApi"/>: Dapr.Protos ships the messages and a client, no server base.</summary>
    private sealed class SidecarMethods : IServiceMethodProvider<SidecarApi>
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<SidecarApi> context)
        {
            Unary<GetStateRequest, GetStateResponse>(context, "GetState", (api, request) => api.GetStateAsync(request));
            Unary<GetBulkStateRequest, GetBulkStateResponse>(context, "GetBulkState", (api, request) => api.GetBulkStateAsync(request));
            Unary<SaveStateRequest, Empty>(context, "SaveState", (api, request) => api.SaveStateAsync(request));
            Unary<DeleteStateRequest, Empty>(context, "DeleteState", (api, request) => api.DeleteStateAsync(request));
            Unary<ExecuteStateTransactionRequest, Empty>(context, "ExecuteStateTransaction", (api, request) => api.ExecuteStateTransactionAsync(request));
            Unary<PublishEventRequest, Empty>(context, "PublishEvent", (api, request) => api.PublishEventAsync(request));
        }

        private static void Unary<TRequest, TResponse>(ServiceMethodProviderContext<SidecarApi> context, string name, Func<SidecarApi, TRequest, Task<TResponse>> call)
            where TRequest : class, IMessage<TRequest>, new()
            where TResponse : class, IMessage<TResponse>, new()
        {
            var method = new Method<TRequest, TResponse>(MethodType.Unary, "dapr.proto.runtime.v1.Dapr", name,
                Marshallers.Create(message => message.ToByteArray(), new MessageParser<TRequest>(() => new TRequest()).ParseFrom),
                Marshallers.Create(message => message.ToByteArray(), new MessageParser<TResponse>(() => new TResponse()).ParseFrom));
            context.AddUnaryMethod(method, [], (api, request, _) => call(api, request));
        }
    }
}
