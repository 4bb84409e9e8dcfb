using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.Testing;

namespace Ent.Partnership.Suite.Tests;

/// <summary>
/// The whole suite, started once per test class from the real AppHost: redis-server, the services and the
/// gateway, on a gateway port and a Redis data folder of its own. Schools are not loaded, so that the tests
/// can import them.
/// </summary>
public class SuiteFixture : IAsyncLifetime
{
    /// <summary>About half a minute alone; other test assemblies share the two cores meanwhile.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    /// <summary>How often the services' clock jobs run in the suite.</summary>
    public static readonly TimeSpan ClockInterval = TimeSpan.FromSeconds(3);

    /// <summary>Test classes that start the suite run one after the other: two suites at once would share two cores.</summary>
    public const string Collection = "Whole suite, one at a time";

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("ent-suite-").FullName;

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>More arguments for the AppHost, for a suite of another shape.</summary>
    protected virtual IEnumerable<string> Arguments => [];

    /// <summary>Changes to the AppHost's resources before it starts, for a suite of another shape.</summary>
    protected virtual void Configure(IDistributedApplicationTestingBuilder builder)
    {
    }

    /// <summary>Runs once the AppHost has started its resources, before the suite is waited for.</summary>
    protected virtual Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public HttpClient Gateway { get; private set; } = null!;

    private Task? _schoolsImported;

    /// <summary>Imports the 771-row school directory extract, once per suite, for the tests that need schools.</summary>
    public Task ImportSchoolsOnceAsync() => _schoolsImported ??= ImportSchoolsAsync();

    private async Task ImportSchoolsAsync()
    {
        var csv = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "SeedData", "annuaire-grand-est-synthetic.csv"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/parties:importSchools")
        {
            Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(new { csv }), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Api-Key", "dev-admin-key");
        using var response = await Gateway.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Held while this suite runs: test assemblies run side by side, their whole suites one at a time.</summary>
    private FileStream? _machineLock;

    public virtual async Task InitializeAsync()
    {
        _machineLock = await MachineLockAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        var port = FreePort();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Ent_Partnership_AppHost>(
            [$"--Gateway:Port={port}", $"--Identity:Port={FreePort()}", $"--Console:Port={FreePort()}", $"--Redis:DataDirectory={_dataDirectory}", "--Redis:Mode=executable", "--Seed:Schools=false", "--Seed:Messages=false",
                // The tests call their own elections: the real calendar's reserve windows would change their verdicts with the date.
                "--Seed:Elections=false",
                // Pushes to a sandbox failing half the time: give up only after a very unlikely run of failures.
                "--Publication:MaxAttempts=30",
                // Webhooks retried half a second apart at first, not five: the receivers' failures are the tests' own.
                "--Webhooks:BaseDelay=00:00:00.5", $"--Clock:Interval={ClockInterval:c}", .. Arguments],
            timeout.Token);
        Configure(builder);
        App = await builder.BuildAsync(timeout.Token);
        await App.StartAsync(timeout.Token);
        await StartedAsync(timeout.Token);
        // The gateway is healthy when the services are; the ENT sandbox starts beside them.
        await App.ResourceNotifications.WaitForResourceHealthyAsync("gateway", timeout.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync("ent-sandbox", timeout.Token);
        Gateway = new HttpClient { BaseAddress = new Uri($"http://localhost:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        await WaitForReferenceDataAsync(timeout.Token);
    }

    /// <summary>
    /// The services start together: the parties service loads the Grand Est parties (the last one marks the
    /// end), then the conventions service the sample convention, whose validated charter reaches the
    /// communications service through an event. Ready when a check finds that charter.
    /// </summary>
    private async Task WaitForReferenceDataAsync(CancellationToken cancellationToken)
    {
        var waitingFor = "the Grand Est parties";
        try
        {
            while (!await AnswersAsync(HttpMethod.Get, "/v1/parties/groupement-ent-grand-est/memberships?pageSize=500", null, "parties/cea", cancellationToken))
            {
                await Task.Delay(200, cancellationToken);
            }

            waitingFor = "the sample convention's charter, in the communications service";
            while (!await AnswersAsync(HttpMethod.Post, "/v1/communications:check",
                """{"communication": {"issuer": "parties/cea", "category": "WORKS", "audiences": ["PARENTS"], "targets": {"allSchoolsUnderCompetence": true}}}""",
                "\"charterRevision\"", cancellationToken))
            {
                await Task.Delay(200, cancellationToken);
            }
        }
        catch (OperationCanceledException exception)
        {
            throw new TimeoutException($"The suite started but never had {waitingFor} within {StartTimeout}.", exception);
        }
    }

    private async Task<bool> AnswersAsync(HttpMethod method, string path, string? json, string expected, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Api-Key", "dev-admin-key");
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await Gateway.SendAsync(request, cancellationToken);
        return response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync(cancellationToken)).Contains(expected, StringComparison.Ordinal);
    }

    public virtual async Task DisposeAsync()
    {
        Gateway?.Dispose();
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }

        _machineLock?.Dispose();

        Directory.Delete(_dataDirectory, recursive: true);
    }

    /// <summary>An exclusive lock on a file of the machine's temporary folder, waited for 30 minutes at most.</summary>
    private static async Task<FileStream> MachineLockAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), "ent-partnership-whole-suite.lock");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (!timeout.IsCancellationRequested)
            {
                await Task.Delay(500, timeout.Token);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
