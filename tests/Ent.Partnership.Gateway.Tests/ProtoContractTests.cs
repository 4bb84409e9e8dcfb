using Ent.Partnership.Tests.Support;

namespace Ent.Partnership.Gateway.Tests;

/// <summary>
/// The protos as partners' contract, checked by buf offline (<c>buf.yaml</c> at the root; the gateway's build
/// copies the google protos it needs into <c>third_party</c>): lint, and no breaking change against the baseline
/// image committed in <c>protos/baseline.binpb</c>.
/// </summary>
public sealed class ProtoContractTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Lint_FindsNothing()
    {
        var (exitCode, output) = await NodeScript.RunToolAsync("buf", Repository.Root, Timeout, "lint");

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task TheProtos_BreakNothingOfTheBaseline()
    {
        var (exitCode, output) = await BreakingAsync(Repository.Root);

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task RenamingAField_IsABreakingChange()
    {
        var copy = Directory.CreateTempSubdirectory("ent-protos-").FullName;
        try
        {
            File.Copy(Path.Combine(Repository.Root, "buf.yaml"), Path.Combine(copy, "buf.yaml"));
            CopyFolder(Path.Combine(Repository.Root, "protos"), Path.Combine(copy, "protos"));
            CopyFolder(Path.Combine(Repository.Root, "third_party"), Path.Combine(copy, "third_party"));
            var parties = Path.Combine(copy, "protos", "ent", "partnership", "parties", "v1", "parties.proto");
            var text = await File.ReadAllTextAsync(parties);
            Assert.Contains("string display_name = 3", text);
            await File.WriteAllTextAsync(parties, text.Replace("string display_name = 3", "string title = 3", StringComparison.Ordinal));

            var (exitCode, output) = await BreakingAsync(copy);

            Assert.NotEqual(0, exitCode);
            Assert.Contains("changed name from \"display_name\" to \"title\"", output);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    private static Task<(int ExitCode, string Output)> BreakingAsync(string root) =>
        NodeScript.RunToolAsync("buf", root, Timeout, "breaking", "protos", "--against", Path.Combine("protos", "baseline.binpb"));

    private static void CopyFolder(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }
}
