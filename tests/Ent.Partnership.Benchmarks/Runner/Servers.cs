using System.Diagnostics;
using System.Globalization;

namespace Ent.Partnership.Benchmarks.Runner;

/// <summary>A <c>redis-server</c> of the runner's own, with the suite's persistence: AOF, fsync on every write.</summary>
public sealed class RedisProcess : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ent-bench-redis-").FullName;
    private readonly Process _process;

    private RedisProcess(int port)
    {
        Port = port;
        _process = Tools.Start("redis-server", ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--dir", _directory, "--save", "", "--appendonly", "yes", "--appendfsync", "always"]);
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisProcess> StartAsync()
    {
        var redis = new RedisProcess(Tools.FreePort());
        await Tools.WaitForPortAsync(redis.Port, TimeSpan.FromSeconds(20));
        return redis;
    }

    public ValueTask DisposeAsync()
    {
        Tools.Stop(_process);
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// nginx from Debian as the reverse proxy an operator would otherwise put in front of a service: keep-alive
/// to the upstream, no access log, one worker per core, and the service's bearer token added to each request
/// (what the gateway does from an API key, without the key lookup).
/// </summary>
public sealed class NginxProcess : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ent-bench-nginx-").FullName;
    private readonly Process _process;

    private NginxProcess(int port, Uri upstream, string token)
    {
        Port = port;
        var config = Path.Combine(_directory, "nginx.conf");
        File.WriteAllText(config, $$"""
            worker_processes auto;
            daemon off;
            pid {{_directory}}/nginx.pid;
            error_log {{_directory}}/error.log warn;
            events { worker_connections 4096; }
            http {
              access_log off;
              client_body_temp_path {{_directory}}/body;
              proxy_temp_path {{_directory}}/proxy;
              fastcgi_temp_path {{_directory}}/fastcgi;
              uwsgi_temp_path {{_directory}}/uwsgi;
              scgi_temp_path {{_directory}}/scgi;
              upstream service { server {{upstream.Host}}:{{upstream.Port}}; keepalive 64; }
              server {
                listen 127.0.0.1:{{port}};
                location / {
                  proxy_pass http://service;
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                  proxy_set_header Authorization "Bearer {{token}}";
                }
              }
            }
            """);
        _process = Tools.Start("nginx", ["-p", _directory, "-c", config]);
    }

    public int Port { get; }

    public static bool Installed => Tools.Exists("nginx") || File.Exists("/usr/sbin/nginx");

    public static async Task<NginxProcess> StartAsync(Uri upstream, string token)
    {
        var nginx = new NginxProcess(Tools.FreePort(), upstream, token);
        await Tools.WaitForPortAsync(nginx.Port, TimeSpan.FromSeconds(20));
        return nginx;
    }

    public ValueTask DisposeAsync()
    {
        Tools.Stop(_process);
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}

/// <summary>The bare Kestrel and gRPC endpoints, in a process of their own (this program, <c>baseline-server</c>).</summary>
public sealed class BaselineProcess : IAsyncDisposable
{
    private readonly Process _process;

    private BaselineProcess(int httpPort, int grpcPort)
    {
        HttpPort = httpPort;
        GrpcPort = grpcPort;
        var program = Environment.ProcessPath!;
        var assembly = typeof(BaselineProcess).Assembly.Location;
        _process = Path.GetFileNameWithoutExtension(program) == "dotnet"
            ? Tools.Start(program, [assembly, "baseline-server", httpPort.ToString(CultureInfo.InvariantCulture), grpcPort.ToString(CultureInfo.InvariantCulture)])
            : Tools.Start(program, ["baseline-server", httpPort.ToString(CultureInfo.InvariantCulture), grpcPort.ToString(CultureInfo.InvariantCulture)]);
    }

    public int HttpPort { get; }

    public int GrpcPort { get; }

    public static async Task<BaselineProcess> StartAsync()
    {
        var baseline = new BaselineProcess(Tools.FreePort(), Tools.FreePort());
        await Tools.WaitForPortAsync(baseline.HttpPort, TimeSpan.FromSeconds(30));
        await Tools.WaitForPortAsync(baseline.GrpcPort, TimeSpan.FromSeconds(30));
        return baseline;
    }

    public ValueTask DisposeAsync()
    {
        Tools.Stop(_process);
        return ValueTask.CompletedTask;
    }
}
