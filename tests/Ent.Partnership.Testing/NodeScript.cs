using System.Diagnostics;

namespace Ent.Partnership.Tests.Support;

/// <summary>
/// Runs a Node.js script of <c>tests/browser</c> (the OpenAPI validator, the browser checks), installing its
/// npm packages from the lock file on first use. Needs <c>node</c> and <c>npm</c> on the PATH, and Chromium
/// for the browser checks (<c>.ci/run</c> installs them).
/// </summary>
public static class NodeScript
{
    public static readonly string Folder = Path.Combine(RepositoryRoot(), "tests", "browser");

    public static async Task<(int ExitCode, string Output)> RunAsync(string script, TimeSpan timeout, params string[] arguments)
    {
        await EnsurePackagesAsync();
        return await ExecuteAsync("node", [script, .. arguments], timeout);
    }

    /// <summary><c>npm ci</c> when the packages are missing, under a file lock: two test assemblies may ask at once.</summary>
    private static async Task EnsurePackagesAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        FileStream? lockFile = null;
        while (lockFile is null)
        {
            try
            {
                lockFile = new FileStream(Path.Combine(Folder, ".install.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(200, timeout.Token);
            }
        }

        await using (lockFile)
        {
            if (File.Exists(Path.Combine(Folder, "node_modules", ".package-lock.json")))
            {
                return;
            }

            var (exitCode, output) = await ExecuteAsync("npm", ["ci", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(5));
            Assert.True(exitCode == 0, $"npm ci in {Folder} failed: {output}");
        }
    }

    private static async Task<(int ExitCode, string Output)> ExecuteAsync(string program, string[] arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
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
            return (-1, $"{program} {string.Join(' ', arguments)} took more than {timeout}: {await output}{await errors}");
        }

        return (process.ExitCode, (await output) + (await errors));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Ent.Partnership.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The tests run outside the repository.");
    }
}
