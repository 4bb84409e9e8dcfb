using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Ent.Partnership.Resilience;

/// <summary>Kills a resource of the running suite the hard way, then has the AppHost start it again.</summary>
public sealed class Faults(DistributedApplication app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    /// <summary>SIGKILL (what <see cref="Process.Kill(bool)"/> sends on Linux) to the process and its children: no graceful stop, nothing flushed.</summary>
    public async Task KillAsync(string resource)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var running = await app.ResourceNotifications.WaitForResourceAsync(resource, e => PidOf(e.Snapshot) is not null, timeout.Token);
        using (var process = Process.GetProcessById(PidOf(running.Snapshot)!.Value))
        {
            // A project runs under a `dotnet` launcher: the service is its child.
            process.Kill(entireProcessTree: true);
        }

        await app.ResourceNotifications.WaitForResourceAsync(resource, e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), timeout.Token);
    }

    /// <summary>Starts the resource again, as the dashboard's start button does, and waits until it is healthy.</summary>
    public async Task StartAsync(string resource)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var result = await app.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, timeout.Token);
        Assert.True(result.Success, $"{resource} did not start again: {result.Message}");
        await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
    }

    private static int? PidOf(CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text == KnownResourceStates.Running
        && snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid
            ? Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture)
            : null;
}
