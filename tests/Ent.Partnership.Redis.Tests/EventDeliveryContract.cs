using System.Collections.Concurrent;
using Dapr.Client;
using Ent.Partnership.Dapr;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Storage;
using Ent.Partnership.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Ent.Partnership.Redis.Tests;

/// <summary>
/// What every event path must do, from the producer's commit to the consumer's handler, run against each:
/// a Redis Stream with a consumer group (<see cref="RedisEventDeliveryTests"/>), and Dapr's outbox and
/// subscription through the sidecar stand-in (<see cref="DaprEventDeliveryTests"/>).
/// </summary>
public abstract class EventDeliveryContract : IAsyncLifetime
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _stop = new();
    private Task _consuming = Task.CompletedTask;

    /// <summary>Unique to the test: the producer's prefix, the consumer's group and its events' source.</summary>
    protected string Scope { get; } = "test-" + Guid.NewGuid().ToString("N")[..8];

    protected RecordingHandler Handler { get; } = new();

    protected abstract IDocumentStore Producer { get; }

    /// <summary>Starts consuming the producer's events with <see cref="Handler"/>, until the token is cancelled.</summary>
    protected abstract Task<Task> StartConsumingAsync(CancellationToken stop);

    /// <summary>Sends an event the producer published already once more, as a retrying producer or broker would.</summary>
    protected abstract Task RepublishAsync(OutgoingEvent outgoing);

    public async Task InitializeAsync() => _consuming = await StartConsumingAsync(_stop.Token);

    public virtual async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _consuming;
        _stop.Dispose();
    }

    protected async Task<OutgoingEvent> CommitAsync(string thing, int value)
    {
        var outgoing = OutgoingEvent.From(new ThingChanged { Thing = thing, Value = value }, "/" + Scope, thing, TimeProvider.System, Readers.Everyone);
        await Producer.NewBatch().Put("things", $"{thing}-{value}", 0, [1], [new IndexTerm("thing", thing)]).Publish(outgoing).CommitAsync();
        return outgoing;
    }

    [Fact]
    public async Task EventsCommittedWithTheirWrites_ReachTheHandler_OnceEach()
    {
        var sent = new[] { await CommitAsync("a", 1), await CommitAsync("b", 2), await CommitAsync("c", 3) };

        await Handler.UntilAsync(handled => handled.Count >= 3, Patience);

        Assert.Equal(sent.Select(e => e.Id).Order(), Handler.Handled.Order());
    }

    [Fact]
    public async Task AnEventDeliveredTwice_IsHandledOnce()
    {
        var outgoing = await CommitAsync("twice", 1);
        await Handler.UntilAsync(handled => handled.Contains(outgoing.Id), Patience);

        await RepublishAsync(outgoing);
        var marker = await CommitAsync("after", 2);
        await Handler.UntilAsync(handled => handled.Contains(marker.Id), Patience);

        Assert.Equal(1, Handler.Handled.Count(id => id == outgoing.Id));
    }

    [Fact]
    public async Task AFailingHandler_IsGivenTheEventAgain_UntilItHandlesIt()
    {
        Handler.FailNext("flaky", times: 2);

        var outgoing = await CommitAsync("flaky", 1);
        await Handler.UntilAsync(handled => handled.Contains(outgoing.Id), Patience);

        Assert.Equal(2, Handler.Failures);
        Assert.Equal([outgoing.Id], Handler.Handled);
    }

    /// <summary>Records the events of its test's source it handled; fails some on demand.</summary>
    protected sealed class RecordingHandler : IEventHandler
    {
        private readonly ConcurrentQueue<string> _handled = new();
        private string? _failing;
        private int _failuresLeft;
        private int _failures;

        public string Source { get; set; } = "";

        public IReadOnlyList<string> Handled => [.. _handled];

        public int Failures => _failures;

        public void FailNext(string subject, int times) => (_failing, _failuresLeft) = (subject, times);

        public Task HandleAsync(ReceivedEvent received, CancellationToken cancellationToken)
        {
            if (received.CloudEvent.Source?.ToString() != Source)
            {
                return Task.CompletedTask;
            }

            if (received.Subject == _failing && Interlocked.Decrement(ref _failuresLeft) >= 0)
            {
                Interlocked.Increment(ref _failures);
                throw new InvalidOperationException("this event cannot be handled yet");
            }

            _handled.Enqueue(received.Id);
            return Task.CompletedTask;
        }

        /// <summary>Waits, at most <paramref name="patience"/>, for what was handled to satisfy <paramref name="condition"/>.</summary>
        public async Task UntilAsync(Func<IReadOnlyList<string>, bool> condition, TimeSpan patience)
        {
            using var timeout = new CancellationTokenSource(patience);
            while (!condition(Handled))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), timeout.Token);
            }
        }
    }
}

public sealed class RedisEventDeliveryTests(RedisServer redis) : EventDeliveryContract, IClassFixture<RedisServer>
{
    private readonly RedisDocumentStore _producer = new(redis.Connection, new RedisStoreOptions(Guid.NewGuid().ToString("N")));

    protected override IDocumentStore Producer => _producer;

    protected override Task<Task> StartConsumingAsync(CancellationToken stop)
    {
        Handler.Source = "/" + Scope;
        var consumer = new EventConsumer(redis.Connection, new EventConsumerOptions(_producer.StreamKey, Scope)
        {
            ClaimIdleTime = TimeSpan.Zero,
            PollInterval = TimeSpan.FromMilliseconds(50),
        }, Handler, NullLogger<EventConsumer>.Instance);
        return Task.FromResult(consumer.RunAsync(stop));
    }

    protected override Task RepublishAsync(OutgoingEvent outgoing) =>
        redis.Connection.GetDatabase().StreamAddAsync(_producer.StreamKey,
            [new NameValueEntry("type", outgoing.Type), new NameValueEntry("id", outgoing.Id), new NameValueEntry("event", outgoing.ToJson())]);
}

/// <summary>
/// The Dapr path: the producer's outbox publishes to the stand-in's topic, and the stand-in delivers it to a
/// web app that maps the subscription as a service does (<see cref="DaprEventEndpoints.MapDaprEvents"/>).
/// </summary>
public sealed class DaprEventDeliveryTests(DaprSidecar sidecar) : EventDeliveryContract, IClassFixture<DaprSidecar>
{
    private const string AppToken = "the-app-api-token-of-these-tests";

    private readonly DaprStoreOptions _options = new(DaprSidecar.StoreName, Guid.NewGuid().ToString("N"));
    private Uri _appAddress = null!;
    private WebApplication? _app;

    protected override IDocumentStore Producer => new DaprDocumentStore(sidecar.Client, _options);

    protected override async Task<Task> StartConsumingAsync(CancellationToken stop)
    {
        Handler.Source = "/" + Scope;
        var port = RedisServer.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Configuration[DaprEventEndpoints.AppApiTokenVariable] = AppToken;
        builder.Services.AddSingleton(sidecar.Client);
        builder.Services.AddSingleton(_options);
        builder.Services.AddSingleton(new ErrorTranslation([]));
        builder.Services.AddSingleton<DaprEventDelivery>();
        builder.Services.AddSingleton(Handler);
        builder.Services.AddSingleton(new DaprSubscription(DaprSidecar.PubSubName, DaprSidecar.OutboxTopic.Replace('-', ':'), Scope, typeof(RecordingHandler)));
        _app = builder.Build();
        _app.MapDaprEvents();
        await _app.StartAsync();
        _appAddress = new Uri($"http://127.0.0.1:{port}");
        return DeliverAsync(_appAddress, stop);
    }

    private async Task DeliverAsync(Uri app, CancellationToken stop)
    {
        using var client = new HttpClient { BaseAddress = app };
        client.DefaultRequestHeaders.Add("dapr-api-token", AppToken);
        await sidecar.DeliverAsync(client, appId: Scope, stop);
    }

    protected override Task RepublishAsync(OutgoingEvent outgoing) =>
        sidecar.Client.PublishByteEventAsync(DaprSidecar.PubSubName, DaprSidecar.OutboxTopic, System.Text.Encoding.UTF8.GetBytes(outgoing.ToJson()), "application/cloudevents+json");

    [Theory]
    [InlineData(null)]
    [InlineData("another-token")]
    public async Task ADelivery_WithoutTheAppApiToken_IsRefused_AndNotHandled(string? token)
    {
        var outgoing = OutgoingEvent.From(new ThingChanged { Thing = "forged", Value = 1 }, "/" + Scope, "forged", TimeProvider.System, Readers.Everyone);
        using var client = new HttpClient { BaseAddress = _appAddress };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Add("dapr-api-token", token);
        }

        using var response = await client.PostAsync("/dapr/events/" + DaprSidecar.OutboxTopic, new StringContent(outgoing.ToJson(), System.Text.Encoding.UTF8, "application/cloudevents+json"));

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        var marker = await CommitAsync("after", 1);
        await Handler.UntilAsync(handled => handled.Contains(marker.Id), Patience);
        Assert.DoesNotContain(outgoing.Id, Handler.Handled);
    }

    [Fact]
    public async Task ADelivery_WhenTheStateStoreDoesNotAnswer_IsGivenBack_NotAServerError()
    {
        using var nowhere = new DaprClientBuilder().UseGrpcEndpoint($"http://127.0.0.1:{RedisServer.FreePort()}").Build();
        var delivery = new DaprEventDelivery(nowhere, _options, new ErrorTranslation([new DaprErrorTranslator()]), NullLogger<DaprEventDelivery>.Instance);
        var outgoing = OutgoingEvent.From(new ThingChanged { Thing = "waiting", Value = 1 }, "/" + Scope, "waiting", TimeProvider.System, Readers.Everyone);
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Request.Body = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(outgoing.ToJson()));
        context.Response.Body = new MemoryStream();

        var result = await delivery.DeliverAsync(context.Request, new DaprSubscription(DaprSidecar.PubSubName, "test:events", Scope, typeof(RecordingHandler)), Handler);
        await result.ExecuteAsync(context);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("""{"status":"RETRY"}""", System.Text.Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()));
        Assert.Empty(Handler.Handled);
    }

    [Fact]
    public async Task AnUnreadableEvent_GoesToTheDeadLetterTopic_WithoutHoldingUpTheOthers()
    {
        // One of the events by its type, but without the id and source every CloudEvent has.
        var unreadable = $$"""{"specversion":"1.0","type":"ent.partnership.tests.v1.ThingChanged","subject":"{{Scope}}"}""";
        await sidecar.Client.PublishByteEventAsync(DaprSidecar.PubSubName, DaprSidecar.OutboxTopic, System.Text.Encoding.UTF8.GetBytes(unreadable), "application/cloudevents+json");

        var after = await CommitAsync("after", 1);
        await Handler.UntilAsync(handled => handled.Contains(after.Id), Patience);
        using var timeout = new CancellationTokenSource(Patience);
        while (!(await sidecar.PublishedAsync(DaprSidecar.OutboxTopic + "-dead-letter")).Any(message => message.Contains(Scope, StringComparison.Ordinal)))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), timeout.Token);
        }

        Assert.Equal([after.Id], Handler.Handled);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
