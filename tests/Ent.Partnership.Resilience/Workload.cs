using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Ent.Partnership.Suite.Tests;
using StackExchange.Redis;

namespace Ent.Partnership.Resilience;

/// <summary>An answer other than success that the client met on its way: the HTTP status (0: no answer) and the body.</summary>
public sealed record Refusal(string Request, int Http, string Body);

/// <summary>A message the client had approved, and the school it was for.</summary>
public sealed record SentMessage(string Name, string School);

/// <summary>
/// Partners' clients writing steadily while the suite is hurt: parties created, conventions carried into
/// force and evidence recorded against their obligations, messages submitted and approved. Each write is
/// retried with its <c>requestId</c> until the suite answers it, as a careful client does; a verb whose
/// answer was lost is checked on the resource. The log holds what was acknowledged and every refusal, and
/// <see cref="VerifyAsync"/> checks the suite against it.
/// </summary>
public sealed class Workload(HttpClient client, string run, IReadOnlyList<string> lycees, string reimsSchool)
{
    public const string Admin = "dev-admin-key";
    public const string Region = "dev-region-key";
    private const string Rectorat = "dev-rectorat-nancy-metz-key";

    /// <summary>How long a client keeps retrying one write before the test fails.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    public ConcurrentQueue<string> Parties { get; } = new();

    public ConcurrentQueue<string> Conventions { get; } = new();

    /// <summary>The obligations that received one training session each.</summary>
    public ConcurrentQueue<string> Evidenced { get; } = new();

    public ConcurrentQueue<SentMessage> Messages { get; } = new();

    public ConcurrentQueue<Refusal> Refusals { get; } = new();

    public int Acknowledged => Parties.Count + Conventions.Count + Evidenced.Count + Messages.Count;

    /// <summary>
    /// What the clients write to: the lycées of the Région whose rectorat (Nancy-Metz) validates their
    /// messages, but the first ones of the Moselle, which the ENT outage test uses; a school of the Marne for
    /// the training sessions.
    /// </summary>
    public static async Task<(List<string> Lycees, string ReimsSchool)> TargetsAsync(HttpClient client)
    {
        var gateway = new Gateway(client);
        var lycees = await ListAsync(gateway, "parties", "kind = SCHOOL AND competent_authority = \"parties/region-grand-est\" AND academy = \"parties/aca-nancy-metz\"", Admin);
        var marne = await gateway.OkAsync(HttpMethod.Get, "/v1/parties?pageSize=1&filter=" + Uri.EscapeDataString("kind = SCHOOL AND competent_authority = \"parties/dep-51\""), Admin);
        return (
            [.. lycees.Select(p => Text(p, "name")).Where(n => !n.StartsWith("parties/uai-057109", StringComparison.Ordinal))],
            marne.GetProperty("parties")[0].GetProperty("name").GetString()!);
    }

    /// <summary>Runs <paramref name="clients"/> clients until <paramref name="stop"/>; each finishes the write it started.</summary>
    public Task RunAsync(int clients, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(() => ClientAsync(c, clients, stop), CancellationToken.None)));

    /// <summary>
    /// Runs <paramref name="clients"/> clients until <paramref name="target"/> writes are acknowledged, at most
    /// <paramref name="patience"/> later, and lets each finish the write it started; fails at once if
    /// <paramref name="mustKeepRunning"/> (what the suite needs beside the clients) stops.
    /// </summary>
    public async Task RunUntilAcknowledgedAsync(int target, int clients, TimeSpan patience, Task? mustKeepRunning = null)
    {
        using var stop = new CancellationTokenSource();
        var running = RunAsync(clients, stop.Token);
        using var deadline = new CancellationTokenSource(patience);
        while (Acknowledged < target && !running.IsCompleted)
        {
            Assert.False(deadline.IsCancellationRequested, $"{Acknowledged} writes acknowledged in {patience}");
            Assert.False(mustKeepRunning?.IsCompleted == true, $"stopped beside the clients: {mustKeepRunning?.Exception}");
            await Task.Delay(100, CancellationToken.None);
        }

        await stop.CancelAsync();
        await running.WaitAsync(patience);
    }

    private async Task ClientAsync(int number, int clients, CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var id = $"{run}-{number}-{i}";
            Parties.Enqueue(await CreatePartyAsync(id));
            if (i % 3 == 1)
            {
                var convention = await InForceAsync(id);
                Conventions.Enqueue(convention);
                Evidenced.Enqueue(await RecordTrainingAsync(convention));
            }
            else if (i % 3 == 2 && (i / 3 * clients) + number < lycees.Count)
            {
                Messages.Enqueue(await PublishAsync(id, lycees[(i / 3 * clients) + number]));
            }
        }
    }

    /// <summary>The display names of this run's parties start with it.</summary>
    public string PartyPrefix => $"Prestataire {run}-";

    /// <summary>The titles of this run's messages start with it.</summary>
    public string MessagePrefix => $"Alerte météo {run}-";

    private async Task<string> CreatePartyAsync(string id)
    {
        var party = await UntilAnsweredAsync(HttpMethod.Post, $"/v1/parties?requestId={Guid.NewGuid()}", Admin, new { kind = "ENT_PROVIDER", displayName = $"Prestataire {id}" });
        return party.GetProperty("name").GetString()!;
    }

    private async Task<string> InForceAsync(string id)
    {
        var name = "conventions/" + id;
        await UntilAnsweredAsync(HttpMethod.Post, $"/v1/conventions?conventionId={id}&requestId={Guid.NewGuid()}", Admin, new
        {
            title = "Convention " + id,
            effectiveDate = "2025-09-01",
            endDate = "2027-08-31",
            signatories = new[] { new { party = "parties/aca-reims", role = "ACADEMIC_AUTHORITY" }, new { party = "parties/dep-51", role = "COLLECTIVITY" } },
            articles = new[]
            {
                new
                {
                    number = "4",
                    title = "Formation",
                    clauses = new[] { new { obligation = new { clauseId = "training", obligorRole = "ACADEMIC_AUTHORITY", kind = "TRAINING", metric = "SESSIONS", target = 6, recurrence = "PER_SCHOOL_YEAR" } } },
                },
            },
        });
        await VerbAsync(name, "submit", Admin, state => state != "DRAFT");
        await UntilAnsweredAsync(HttpMethod.Post, $"/v1/{name}/signatures?requestId={Guid.NewGuid()}", Admin, new { party = "parties/aca-reims", signatoryName = "Le Recteur", signedOn = "2025-08-20" });
        await UntilAnsweredAsync(HttpMethod.Post, $"/v1/{name}/signatures?requestId={Guid.NewGuid()}", Admin, new { party = "parties/dep-51", signatoryName = "Le Président", signedOn = "2025-08-21" });
        return name;
    }

    /// <summary>Waits for the training obligation that the convention's entry into force makes (an event away), then records a session.</summary>
    private async Task<string> RecordTrainingAsync(string convention)
    {
        var filter = Uri.EscapeDataString($"convention = \"{convention}\" AND obligor = \"parties/aca-reims\" AND period_start = 2026-09-01");
        using var deadline = new CancellationTokenSource(Patience);
        var obligation = "";
        while (obligation.Length == 0)
        {
            var page = await UntilAnsweredAsync(HttpMethod.Get, $"/v1/obligations?filter={filter}", Admin, null);
            if (page.TryGetProperty("obligations", out var list) && list.GetArrayLength() > 0)
            {
                obligation = list[0].GetProperty("name").GetString()!;
            }
            else
            {
                Assert.False(deadline.IsCancellationRequested, $"{convention}: its obligations never came");
                await Task.Delay(100, CancellationToken.None);
            }
        }

        await UntilAnsweredAsync(HttpMethod.Post, $"/v1/{obligation}/evidence?requestId={Guid.NewGuid()}", Admin, new
        {
            trainingSession = new { heldOn = "2026-10-12", audience = "TEACHERS", schools = new[] { reimsSchool }, participants = 14, hours = 3, modality = "ON_SITE" },
        });
        return obligation;
    }

    private async Task<SentMessage> PublishAsync(string id, string school)
    {
        var title = $"Alerte météo {id}";
        var message = await UntilAnsweredAsync(HttpMethod.Post, $"/v1/communications?requestId={Guid.NewGuid()}", Region, new
        {
            title,
            body = "Le lycée sera fermé vendredi en raison d'une alerte météo.",
            category = "SAFETY",
            audiences = new[] { "PARENTS", "PUPILS" },
            targets = new { schools = new[] { school } },
            expireTime = DateTimeOffset.UtcNow.AddDays(10).ToString("yyyy-MM-ddTHH:mm:ssZ"),
        });
        var name = message.GetProperty("name").GetString()!;
        await VerbAsync(name, "submit", Region, state => state != "DRAFT");
        await VerbAsync(name, "approve", Rectorat, state => state is "APPROVED" or "PUBLISHED");
        return new SentMessage(name, school);
    }

    /// <summary>A state change; when its first answer was lost, a retry is refused by the new state, which the resource then shows.</summary>
    private async Task VerbAsync(string name, string verb, string key, Func<string, bool> done)
    {
        var answer = await UntilAnsweredAsync(HttpMethod.Post, $"/v1/{name}:{verb}", key, new { }, alreadyDone: async () =>
        {
            var resource = await UntilAnsweredAsync(HttpMethod.Get, "/v1/" + name, key, null);
            return done(resource.GetProperty("state").GetString()!) ? resource : null;
        });
        Assert.True(done(answer.GetProperty("state").GetString()!), $"{name}:{verb} answered {answer}");
    }

    /// <summary>
    /// Sends until the suite answers 200, retrying what a client may retry: no answer, 503 UNAVAILABLE, 504
    /// DEADLINE_EXCEEDED. Any other refusal fails the test, unless it is FAILED_PRECONDITION and
    /// <paramref name="alreadyDone"/> finds the write done (and gives the resource).
    /// </summary>
    private async Task<JsonElement> UntilAnsweredAsync(HttpMethod method, string path, string key, object? body, Func<Task<JsonElement?>>? alreadyDone = null)
    {
        using var deadline = new CancellationTokenSource(Patience);
        var request = $"{method} {path}";
        while (true)
        {
            var (status, text) = await TrySendAsync(method, path, key, body);
            if (status == HttpStatusCode.OK)
            {
                return JsonDocument.Parse(text).RootElement.Clone();
            }

            Refusals.Enqueue(new Refusal(request, (int)status, text));
            if (status == HttpStatusCode.BadRequest && alreadyDone is not null && CodeOf(text) == 9 && await alreadyDone() is { } done)
            {
                return done;
            }

            Assert.True(status is 0 or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout, $"{request}: {(int)status} {text}");
            Assert.False(deadline.IsCancellationRequested, $"{request}: no answer in {Patience}; last {(int)status} {text}");
            await Task.Delay(100, CancellationToken.None);
        }
    }

    /// <summary>The <c>google.rpc.Status</c> code of an error body; null when the body is not one.</summary>
    public static int? CodeOf(string text)
    {
        try
        {
            var root = JsonDocument.Parse(text).RootElement;
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("code", out var code) && code.TryGetInt32(out var value) ? value : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<(HttpStatusCode Status, string Text)> TrySendAsync(HttpMethod method, string path, string key, object? body)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Api-Key", key);
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        try
        {
            using var response = await client.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return (0, exception.Message);
        }
    }

    /// <summary>What the clients were told was done is there once; what the events should have made, made once.</summary>
    public async Task VerifyAsync(Sandbox sandbox, Func<Task> eventsSettled)
    {
        // A consumer killed while handling an event gets it back once its entry is reclaimed: what the events
        // make is there once they are all handled, not before.
        await eventsSettled();
        var gateway = new Gateway(client);

        var parties = await ListAsync(gateway, "parties", "kind = ENT_PROVIDER", Admin);
        Assert.Equal(Parties.Order(), parties.Where(p => Text(p, "displayName").StartsWith(PartyPrefix, StringComparison.Ordinal)).Select(p => Text(p, "name")).Order());

        foreach (var convention in Conventions)
        {
            Assert.Equal("IN_FORCE", Text(await gateway.OkAsync(HttpMethod.Get, "/v1/" + convention, Admin), "state"));
            // The convention's entry into force made the training obligation of each school year, once.
            var obligations = await ListAsync(gateway, "obligations", $"convention = \"{convention}\"", Admin);
            Assert.Equal(["2025-09-01", "2026-09-01"], obligations.Select(o => o.GetProperty("period").GetProperty("startDate").GetString()).Order());
        }

        foreach (var obligation in Evidenced)
        {
            Assert.Single(await ListAsync(gateway, $"{obligation}/evidence", null, Admin, plural: "evidence"));
            Assert.Equal(1, (await gateway.OkAsync(HttpMethod.Get, "/v1/" + obligation, Admin)).GetProperty("achieved").GetInt32());
        }

        var messages = await ListAsync(gateway, "communications", "issuer = \"parties/region-grand-est\"", Region);
        Assert.Equal(Messages.Select(m => m.Name).Order(), messages.Where(m => Text(m, "title").StartsWith(MessagePrefix, StringComparison.Ordinal)).Select(m => Text(m, "name")).Order());
        foreach (var message in Messages)
        {
            await DeliveredAsync(gateway, message.Name);
            var uai = message.School["parties/uai-".Length..].ToUpperInvariant();
            Assert.Equal(new Dictionary<string, int> { [uai] = 1 }, await sandbox.ReceivedAsync(message.Name));
        }
    }

    private static async Task DeliveredAsync(Gateway gateway, string message)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            var deliveries = await ListAsync(gateway, message + "/deliveries", null, Region, plural: "deliveries");
            if (deliveries.Count > 0 && deliveries.All(d => Text(d, "state") == "DELIVERED"))
            {
                return;
            }

            Assert.False(deadline.IsCancellationRequested, $"{message} not delivered in {Patience}: {string.Join(", ", deliveries)}");
            await Task.Delay(200, CancellationToken.None);
        }
    }

    /// <summary>Every consumer group of the conventions' events has handled everything; none was dead-lettered.</summary>
    public static async Task EventsSettledAsync(string redisConnection)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(redisConnection);
        var db = redis.GetDatabase();
        using var deadline = new CancellationTokenSource(Patience);
        while ((await db.StreamGroupInfoAsync("conventions:events")).Any(g => g.PendingMessageCount > 0 || g.Lag is null or > 0))
        {
            Assert.False(deadline.IsCancellationRequested, "the consumers of conventions:events did not catch up");
            await Task.Delay(200, CancellationToken.None);
        }

        Assert.Equal(0, await db.StreamLengthAsync("obligations:dead-letter"));
        Assert.Equal(0, await db.StreamLengthAsync("communications:dead-letter"));
    }

    public static async Task<List<JsonElement>> ListAsync(Gateway gateway, string collection, string? filter, string key, string? plural = null)
    {
        var all = new List<JsonElement>();
        var token = "";
        do
        {
            var query = $"/v1/{collection}?pageSize=500&pageToken={Uri.EscapeDataString(token)}" + (filter is null ? "" : "&filter=" + Uri.EscapeDataString(filter));
            var page = await gateway.OkAsync(HttpMethod.Get, query, key);
            if (page.TryGetProperty(plural ?? collection, out var items))
            {
                all.AddRange(items.EnumerateArray().Select(i => i.Clone()));
            }

            token = page.TryGetProperty("nextPageToken", out var next) ? next.GetString() ?? "" : "";
        }
        while (token.Length > 0);
        return all;
    }

    private static string Text(JsonElement element, string field) => element.TryGetProperty(field, out var value) ? value.GetString() ?? "" : "";
}
