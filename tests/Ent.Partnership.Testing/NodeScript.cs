namespace Ent.Partnership.Tests.Support;

/// <summary>
/// Runs a Node.js script of <c>tests/browser</c> (the OpenAPI validator, the browser checks) or a tool of its
/// packages (<c>buf</c>), installing its npm packages from the lock file on first use. Needs <c>node</c> and
/// <c>npm</c> on the PATH, and Chromium for the browser checks (<c>.ci/run</c> installs them). Also compiled into
/// the benchmark runner.
/// </summary>
public static class NodeScript
{
    public static readonly string Folder = Path.Combine(Repository.Root, "tests", "browser");

    public static async Task<(int ExitCode, string Output)> RunAsync(string script, TimeSpan timeout, params string[] arguments)
    {
        await EnsurePackagesAsync();
        return await Repository.RunAsync("node", [script, .. arguments], Folder, timeout);
    }

    /// <summary>Runs a command-line tool of the npm packages (such as <c>buf</c>) in <paramref name="workingDirectory"/>.</summary>
    public static async Task<(int ExitCode, string Output)> RunToolAsync(
        string tool, string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        await EnsurePackagesAsync();
        return await Repository.RunAsync(Path.Combine(Folder, "node_modules", ".bin", tool), arguments, workingDirectory, timeout);
    }

    /// <summary>
    /// <c>npm ci</c> when the packages are missing or older than the lock file, under a file lock: two test
    /// assemblies may ask at once.
    /// </summary>
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
            var installed = new FileInfo(Path.Combine(Folder, "node_modules", ".package-lock.json"));
            if (installed.Exists && installed.LastWriteTimeUtc >= File.GetLastWriteTimeUtc(Path.Combine(Folder, "package-lock.json")))
            {
                return;
            }

            var (exitCode, output) = await Repository.RunAsync("npm", ["ci", "--no-audit", "--no-fund"], Folder, TimeSpan.FromMinutes(5));
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"npm ci in {Folder} failed: {output}");
            }
        }
    }
}
