using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ent.Partnership.AppHost;

/// <summary>
/// Redis as a local <c>redis-server</c> process, for machines without a container engine: AOF on with
/// <c>appendfsync always</c>, its data in a folder of the AppHost's.
/// </summary>
public sealed class RedisServerResource(string name, string dataDirectory)
    : ExecutableResource(name, "redis-server", dataDirectory), IResourceWithConnectionString
{
    public EndpointReference Endpoint => new(this, "tcp");

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{Endpoint.Property(EndpointProperty.HostAndPort)}");
}

public static class RedisResourceExtensions
{
    /// <summary>
    /// Redis in a container when a container engine answers (<c>Redis:Mode</c> = <c>auto</c> or
    /// <c>container</c>), else a local <c>redis-server</c> (<c>executable</c>); both with AOF and fsync on
    /// every write, as SPEC section 9 requires.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddPartnershipRedis(this IDistributedApplicationBuilder builder, string name)
    {
        var mode = builder.Configuration["Redis:Mode"] ?? "auto";
        // A published manifest describes a deployment: Redis there is a container (or a managed Redis), never this machine's redis-server.
        if (builder.ExecutionContext.IsPublishMode || mode == "container" || (mode == "auto" && ContainerEngineAnswers()))
        {
            return builder.AddRedis(name)
                .WithDataVolume()
                .WithArgs(context => Durable(context.Args));
        }

        if (!CommandExists("redis-server"))
        {
            throw new DistributedApplicationException(
                "Neither a container engine nor redis-server is available: install one (on Debian: sudo apt-get install -y redis-server).");
        }

        var dataDirectory = builder.Configuration["Redis:DataDirectory"] ?? Path.Combine(builder.AppHostDirectory, ".redis-data");
        Directory.CreateDirectory(dataDirectory);
        var redis = new RedisServerResource(name, dataDirectory);
        var healthCheck = name + "-ping";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, async cancellationToken =>
        {
            var address = await redis.ConnectionStringExpression.GetValueAsync(cancellationToken);
            return await PingAsync(address, cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("redis-server does not answer PING");
        });
        return builder.AddResource(redis)
            .WithEndpoint(name: "tcp", scheme: "tcp", isProxied: false)
            .WithArgs(context =>
            {
                context.Args.Add("--port");
                context.Args.Add(redis.Endpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--dir");
                context.Args.Add(dataDirectory);
                context.Args.Add("--appendonly");
                context.Args.Add("yes");
                context.Args.Add("--appendfsync");
                context.Args.Add("always");
                context.Args.Add("--save");
                context.Args.Add("");
            })
            .WithHealthCheck(healthCheck);
    }

    /// <summary>
    /// AOF with fsync on every write for the container. Aspire starts it as <c>/bin/sh -c "redis-server …"</c>:
    /// arguments after that string would be the shell's, never Redis's, so the flags go into the command.
    /// </summary>
    private static void Durable(IList<object> args)
    {
        const string Flags = "--appendonly yes --appendfsync always";
        var command = args.Select((arg, index) => (Text: arg as string, Index: index))
            .FirstOrDefault(a => a.Text?.StartsWith("redis-server", StringComparison.Ordinal) == true);
        if (command.Text is not null)
        {
            args[command.Index] = $"{command.Text} {Flags}";
            return;
        }

        foreach (var flag in Flags.Split(' '))
        {
            args.Add(flag);
        }
    }

    private static async Task<bool> PingAsync(string? address, CancellationToken cancellationToken)
    {
        if (address is null || address.Split(':') is not [var host, var portText] || !int.TryParse(portText, out var port))
        {
            return false;
        }

        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, cancellationToken);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static bool ContainerEngineAnswers() => Runs("docker", "info --format {{.ServerVersion}}") || Runs("podman", "info");

    private static bool CommandExists(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, command)));

    private static bool Runs(string command, string arguments)
    {
        if (!CommandExists(command))
        {
            return false;
        }

        try
        {
            using var process = Process.Start(new ProcessStartInfo(command, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null)
            {
                return false;
            }

            if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
