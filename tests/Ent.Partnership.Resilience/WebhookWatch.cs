using System.Text.Json;
using Ent.Partnership.Suite.Tests;
using StackExchange.Redis;

namespace Ent.Partnership.Resilience;

/// <summary>
/// An administrator's webhook (admins read every event) posting to an inbox of the ENT sandbox, registered
/// before a run: afterwards, every event the services appended meanwhile must have reached the inbox with a
/// 2xx, and the inbox says which were accepted more than once.
/// </summary>
public sealed class WebhookWatch
{
    private static readonly string[] Streams = ["parties:events", "conventions:events", "obligations:events", "communications:events"];

    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private readonly HttpClient _sandbox;
    private readonly string _inbox;
    private readonly string _redis;
    private readonly Dictionary<string, RedisValue> _from;

    private WebhookWatch(HttpClient sandbox, string inbox, string redis, Dictionary<string, RedisValue> from)
    {
        _sandbox = sandbox;
        _inbox = inbox;
        _redis = redis;
        _from = from;
    }

    public static async Task<WebhookWatch> StartAsync(HttpClient gateway, HttpClient sandbox, string inbox, string redis)
    {
        var url = sandbox.BaseAddress!.ToString().TrimEnd('/') + "/webhooks/" + inbox;
        await new Gateway(gateway).OkAsync(HttpMethod.Post, $"/v1/webhooks?webhookId={inbox}", Workload.Admin, JsonSerializer.Serialize(new { url }));
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        var from = new Dictionary<string, RedisValue>();
        foreach (var stream in Streams)
        {
            var last = await connection.GetDatabase().StreamRangeAsync(stream, "-", "+", count: 1, messageOrder: Order.Descending);
            from[stream] = last.Length == 0 ? "0-0" : last[0].Id;
        }

        return new WebhookWatch(sandbox, inbox, redis, from);
    }

    /// <summary>Waits until every event appended since the start was accepted by the inbox; answers the events accepted more than once.</summary>
    public async Task<IReadOnlyList<string>> AcceptedTwiceAsync()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(_redis);
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var stream in Streams)
        {
            foreach (var entry in await connection.GetDatabase().StreamRangeAsync(stream, "(" + _from[stream], "+"))
            {
                expected.Add(entry["id"].ToString());
            }
        }

        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            var accepted = JsonDocument.Parse(await _sandbox.GetStringAsync($"/webhooks/{_inbox}")).RootElement.GetProperty("posts").EnumerateArray()
                .Where(p => p.GetProperty("status").GetInt32() is >= 200 and < 300)
                .Select(p => p.GetProperty("webhookId").GetString()!)
                .ToList();
            var missing = expected.Except(accepted).ToList();
            if (missing.Count == 0)
            {
                return accepted.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            }

            Assert.False(deadline.IsCancellationRequested, $"{missing.Count} of {expected.Count} events never reached the webhook in {Patience}, e.g. {missing[0]}");
            await Task.Delay(200, CancellationToken.None);
        }
    }
}
