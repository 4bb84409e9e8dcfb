using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Tests.Support;

namespace Ent.Partnership.Benchmarks.Runner;

/// <summary>
/// The whole suite from the real AppHost, built in the runner's configuration (Release): redis-server, the
/// services on their own ports (no orchestrator proxy), the ENT sandbox, the gateway, the identity project
/// and the console. The runner knows
/// the key that signs internal tokens, so it can call a service straight, as the gateway does.
/// </summary>
public sealed class Suite : IAsyncDisposable
{
    public static readonly string[] Services = ["parties", "conventions", "obligations", "communications", "notifications", "gateway"];

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("ent-bench-suite-").FullName;
    private readonly InternalToken _tokens;
    private DistributedApplication _app = null!;

    private Suite(string signingKey)
    {
        _tokens = new InternalToken(new IssuerKeys("gateway", signingKey), TimeProvider.System);
        SigningKey = signingKey;
    }

    public string SigningKey { get; }

    public Uri Gateway { get; private set; } = null!;

    /// <summary>From the call to start to the gateway healthy, and to the reference data answered through it.</summary>
    public TimeSpan Healthy { get; private set; }

    public TimeSpan Loaded { get; private set; }

    /// <summary>From the call to start to the console and the identity project healthy (beside the gateway).</summary>
    public TimeSpan ConsoleHealthy { get; private set; }

    public Uri Console { get; private set; } = null!;

    public Uri Identity { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public static async Task<Suite> StartAsync(params string[] settings)
    {
        var suite = new Suite(Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));
        await suite.LaunchAsync(settings);
        return suite;
    }

    private async Task LaunchAsync(string[] settings)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        int port = Tools.FreePort(), consolePort = Tools.FreePort(), identityPort = Tools.FreePort();
        var clock = Stopwatch.StartNew();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Ent_Partnership_AppHost>(
            [$"--Gateway:Port={port}", $"--Identity:Port={identityPort}", $"--Console:Port={consolePort}", $"--Redis:DataDirectory={_dataDirectory}", "--Redis:Mode=executable", "--Services:Proxied=false",
                $"--Parameters:token-seed-gateway={SigningKey}", "--Seed:Messages=false", .. settings],
            timeout.Token);
        // The orchestrator's own log (health probes failing while the services start) would drown the results.
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Error)
            .AddFilter("Aspire", LogLevel.Error)
            .AddFilter("Ent.Partnership.AppHost", LogLevel.Error)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
        // Persons have the default rate (100/s); the person-token scenario measures the token's checks, not the limit.
        builder.CreateResourceBuilder<ProjectResource>("gateway")
            .WithEnvironment("Gateway__RateLimit__PerSecond", "1000000")
            .WithEnvironment("Gateway__RateLimit__Burst", "1000000");
        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", timeout.Token);
        Healthy = clock.Elapsed;
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("console", timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("identity", timeout.Token);
        ConsoleHealthy = clock.Elapsed;
        // On localhost, as persons reach them: the identity's cookies and the console's redirect URI name it.
        Console = new Uri($"http://localhost:{consolePort}");
        Identity = new Uri($"http://localhost:{identityPort}");
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("ent-sandbox", timeout.Token);
        Gateway = new Uri($"http://127.0.0.1:{port}");
        Client = new HttpClient { BaseAddress = Gateway, Timeout = TimeSpan.FromSeconds(60) };
        await WaitForReferenceDataAsync(timeout.Token);
        Loaded = clock.Elapsed;
    }

    /// <summary>The parties service loads the Grand Est parties as it starts; the conventions service then the sample convention.</summary>
    private async Task WaitForReferenceDataAsync(CancellationToken cancellationToken)
    {
        while (!await AnswersAsync("/v1/parties/groupement-ent-grand-est/memberships?pageSize=500", "parties/cea", cancellationToken)
            || !await AnswersAsync("/v1/conventions?pageSize=10", "IN_FORCE", cancellationToken))
        {
            await Task.Delay(100, cancellationToken);
        }
    }

    private async Task<bool> AnswersAsync(string path, string expected, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Api-Key", "dev-admin-key");
        using var response = await Client.SendAsync(request, cancellationToken);
        return response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync(cancellationToken)).Contains(expected, StringComparison.Ordinal);
    }

    /// <summary>The suite's Redis, as the services reach it.</summary>
    public async Task<string> RedisAsync() => await _app.GetConnectionStringAsync("redis") ?? throw new InvalidOperationException("The suite has no Redis.");

    /// <summary>A service's endpoint: <c>http</c> (REST, HTTP/1.1) or <c>grpc</c> (h2c).</summary>
    public Uri Endpoint(string service, string endpoint) => _app.GetEndpoint(service, endpoint);

    /// <summary>A token the services accept for two minutes, as the gateway makes for the admin key.</summary>
    public string AdminToken() => _tokens.IssueForPartner("benchmarks", null, [RoleNames.Admin]);

    /// <summary>A development person's access token, signed in at the identity project as the console does.</summary>
    public async Task<string> PersonTokenAsync(string subject)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = Identity };
        return await PersonSignIn.AccessTokenAsync(browser, subject, new Uri(Console, "/signin-oidc").ToString());
    }

    /// <summary>Resident memory (now, and the peak so far) of each service's process, in MB.</summary>
    public static IReadOnlyDictionary<string, (double Now, double Peak)> Memory()
    {
        var memory = new Dictionary<string, (double, double)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc").Where(d => Path.GetFileName(d).All(char.IsAsciiDigit)))
        {
            try
            {
                var executable = Path.GetFileName(File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0')[0]);
                var service = Services.FirstOrDefault(s => executable.Equals("Ent.Partnership." + Capitalised(s), StringComparison.Ordinal));
                if (service is not null)
                {
                    var status = File.ReadAllLines(Path.Combine(directory, "status"));
                    memory[service] = (Kilobytes(status, "VmRSS:") / 1024, Kilobytes(status, "VmHWM:") / 1024);
                }
            }
            catch (IOException)
            {
                // The process ended while it was read.
            }
        }

        return memory;
    }

    private static string Capitalised(string service) => char.ToUpperInvariant(service[0]) + service[1..];

    private static double Kilobytes(string[] status, string field) =>
        double.Parse(status.First(l => l.StartsWith(field, StringComparison.Ordinal))[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);

    public async Task<JsonElement> PostAsync(string path, object body, string key = "dev-admin-key")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", key);
        return await SendAsync(request);
    }

    public async Task<JsonElement> PatchAsync(string path, object body, string key = "dev-admin-key")
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", key);
        return await SendAsync(request);
    }

    public async Task<JsonElement> GetAsync(string path, string key = "dev-admin-key")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Api-Key", key);
        return await SendAsync(request);
    }

    private async Task<JsonElement> SendAsync(HttpRequestMessage request)
    {
        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {text}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Directory.Delete(_dataDirectory, recursive: true);
    }
}
