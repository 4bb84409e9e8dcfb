using System.Diagnostics;

namespace Ent.Partnership.Tests.Support;

/// <summary>The repository the tests run in, and the programs they run in it as a developer would.</summary>
public static class Repository
{
    /// <summary>The folder of <c>Ent.Partnership.sln</c>.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Runs a program to its end, <paramref name="timeout"/> at most; its exit code (−1 when stopped) and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{program} {string.Join(' ', start.ArgumentList)} took more than {timeout}: {await output}{await errors}");
        }

        return (process.ExitCode, (await output) + (await errors));
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Ent.Partnership.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The tests run outside the repository.");
    }
}
