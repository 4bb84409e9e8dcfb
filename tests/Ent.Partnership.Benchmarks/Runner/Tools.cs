using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Ent.Partnership.Benchmarks.Runner;

/// <summary>What <c>wrk</c> measured: requests per second, latency percentiles in milliseconds, and failures.</summary>
public sealed record WrkResult(double RequestsPerSecond, double P50, double P99, long Non2xx, long SocketErrors);

/// <summary>The external programs the runner drives: wrk, redis-benchmark, redis-server and nginx.</summary>
public static partial class Tools
{
    public static bool Exists(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, command)));

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs a program to its end (bounded) and returns what it printed.</summary>
    public static async Task<string> RunAsync(string command, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{command} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} {string.Join(' ', arguments)} ran longer than {timeout}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} failed ({process.ExitCode}): {await errors}");
        }

        return await output;
    }

    /// <summary>Starts a long-running program, its output read and dropped; the caller kills it.</summary>
    public static Process Start(string command, IEnumerable<string> arguments)
    {
        var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException($"{command} did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits until something accepts connections on the port.</summary>
    public static async Task WaitForPortAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    public static void Stop(Process? process)
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }

        process?.Dispose();
    }

    /// <summary>
    /// wrk for <paramref name="seconds"/> with <paramref name="connections"/> connections on as many threads
    /// as cores (at most the connections), with the headers given and, when given, a Lua script.
    /// </summary>
    public static async Task<WrkResult> WrkAsync(string url, int connections, int seconds, IEnumerable<string> headers, string? script = null)
    {
        List<string> arguments = ["-t", Math.Min(connections, Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture),
            "-c", connections.ToString(CultureInfo.InvariantCulture), "-d", seconds + "s", "--latency", "--timeout", "10s"];
        foreach (var header in headers)
        {
            arguments.AddRange(["-H", header]);
        }

        if (script is not null)
        {
            arguments.AddRange(["-s", script]);
        }

        arguments.Add(url);
        var output = await RunAsync("wrk", arguments, TimeSpan.FromSeconds(seconds + 30));
        return new WrkResult(
            double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture),
            Milliseconds(Percent50().Match(output)),
            Milliseconds(Percent99().Match(output)),
            Non2xx().Match(output) is { Success: true } non2xx ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            SocketErrors().Matches(output).Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)));
    }

    private static double Milliseconds(Match match)
    {
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "us" => value / 1000,
            "ms" => value,
            "s" => value * 1000,
            _ => throw new FormatException("wrk printed an unknown unit: " + match.Value),
        };
    }

    /// <summary>redis-benchmark's requests per second and p99 (ms) for one command.</summary>
    public static async Task<(double RequestsPerSecond, double P99)> RedisBenchmarkAsync(int port, int clients, int requests, params string[] command)
    {
        List<string> arguments = ["-p", port.ToString(CultureInfo.InvariantCulture), "-c", clients.ToString(CultureInfo.InvariantCulture),
            "-n", requests.ToString(CultureInfo.InvariantCulture), "--csv"];
        arguments.AddRange(command);
        var output = await RunAsync("redis-benchmark", arguments, TimeSpan.FromMinutes(5));
        // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
        var fields = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1].Split(',').Select(f => f.Trim('"')).ToArray();
        return (double.Parse(fields[1], CultureInfo.InvariantCulture), double.Parse(fields[6], CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"\s50%\s+([\d.]+)(us|ms|s)")]
    private static partial Regex Percent50();

    [GeneratedRegex(@"\s99%\s+([\d.]+)(us|ms|s)")]
    private static partial Regex Percent99();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"(?:connect|read|write|timeout) (\d+)")]
    private static partial Regex SocketErrors();
}
