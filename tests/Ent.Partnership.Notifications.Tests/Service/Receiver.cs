using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ent.Partnership.Notifications.Tests.Service;

/// <summary>A post a receiver took, with its Standard Webhooks headers and the status it answered.</summary>
public sealed record Post(string WebhookId, long Timestamp, string Signature, string Body, int Status);

/// <summary>
/// Webhook receivers on a loopback port (a real socket: the service connects to the address it checked), each
/// inbox answering what the test sets: 204 by default, or a status per post.
/// </summary>
public sealed class Receiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, List<Post>> _posts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<int, int>> _answers = new(StringComparer.Ordinal);

    private Receiver(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public static async Task<Receiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new Receiver(app);
        app.MapPost("/{inbox}", async (string inbox, HttpRequest request) =>
        {
            var body = await new StreamReader(request.Body).ReadToEndAsync();
            var posts = receiver._posts.GetOrAdd(inbox, _ => []);
            int status;
            lock (posts)
            {
                status = receiver._answers.TryGetValue(inbox, out var answer) ? answer(posts.Count + 1) : (int)HttpStatusCode.NoContent;
                posts.Add(new Post(request.Headers["webhook-id"].ToString(), long.Parse(request.Headers["webhook-timestamp"].ToString(), System.Globalization.CultureInfo.InvariantCulture),
                    request.Headers["webhook-signature"].ToString(), body, status));
            }

            return Results.StatusCode(status);
        });
        await app.StartAsync();
        receiver.BaseUrl = app.Urls.Single();
        return receiver;
    }

    /// <summary>The URL of an inbox.</summary>
    public string Url(string inbox) => $"{BaseUrl}/{inbox}";

    /// <summary>The inbox answers <paramref name="answer"/> of the post's number (1 for the first).</summary>
    public void Answer(string inbox, Func<int, int> answer) => _answers[inbox] = answer;

    public IReadOnlyList<Post> Posts(string inbox)
    {
        if (!_posts.TryGetValue(inbox, out var posts))
        {
            return [];
        }

        lock (posts)
        {
            return [.. posts];
        }
    }

    /// <summary>Waits until <paramref name="done"/> holds of the inbox's posts, at most 15 seconds.</summary>
    public async Task<IReadOnlyList<Post>> WaitAsync(string inbox, Func<IReadOnlyList<Post>, bool> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!done(Posts(inbox)))
        {
            await Task.Delay(20, timeout.Token);
        }

        return Posts(inbox);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
