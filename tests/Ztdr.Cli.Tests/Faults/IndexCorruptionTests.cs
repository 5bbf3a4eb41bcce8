using System.Text.Json;
using Xunit.Abstractions;
using Ztdr.Cli.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Faults;

/// <summary>
/// An index object damaged on the vault's disk (packs and snapshot objects: see <see cref="VerifyAgainstVaultTests"/>).
/// The index is derived data: no command is locked out by it. verify warns about the index and names exactly the
/// snapshots and files whose blobs it listed; the next backup re-indexes the packs from their own authenticated
/// trailers, after which restore is byte-identical and verify passes.
/// </summary>
public sealed class IndexCorruptionTests(ITestOutputHelper output) : VaultCliTest("index-corruption")
{
    private const string Prefix = "index-damage";

    [Fact]
    public async Task Verify_IndexTamperedOnVaultDisk_NamesAffectedSnapshotAndFiles_NextBackupReindexesFromPacks()
    {
        var environment = FaultEnvironment.For(Vault, Prefix);
        var first = FaultEnvironment.CreateIncompressibleTree(Scratch.Combine("first"), 2, 64 * 1024);
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "init", "--retention", "1d")).ExitCode);
        var firstBackup = await CliProcess.RunAsync(environment, "backup", "--json", first);
        Assert.True(firstBackup.ExitCode == 0, firstBackup.ToString());
        string firstSnapshot;
        using (var summary = JsonDocument.Parse(firstBackup.StandardOutput))
        {
            firstSnapshot = summary.RootElement.GetProperty("snapshot").GetString()!;
        }

        var firstIndex = (await FaultEnvironment.ListAsync(Vault, Prefix + "/index/")).Single().Key;
        var second = FaultEnvironment.CreateIncompressibleTree(Scratch.Combine("second"), 2, 64 * 1024);
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "backup", second)).ExitCode);
        await FaultEnvironment.TamperOnDiskAsync(Vault, firstIndex);

        var verify = await CliProcess.RunAsync(environment, "verify");
        output.WriteLine(verify.ToString());

        Assert.True(verify.ExitCode == 1, verify.ToString());
        Assert.Contains(firstIndex[(Prefix.Length + 1)..], verify.StandardError + verify.StandardOutput, StringComparison.Ordinal);
        var lines = CliProcess.Lines(verify.StandardOutput);

        // The first snapshot's root tree was listed only in the damaged index: its whole tree ("/") is named, since
        // nothing under it can be found until the packs are re-indexed. The second snapshot is not named.
        var row = Assert.Single(lines, l => l.StartsWith("blob-not-indexed", StringComparison.Ordinal));
        Assert.Contains(firstSnapshot[..8], row, StringComparison.Ordinal);
        Assert.Equal("    /", lines[2]);
        Assert.DoesNotContain(lines, l => l.Contains("/second", StringComparison.Ordinal));
        Assert.EndsWith("1 of 2 snapshots affected", lines[^1], StringComparison.Ordinal);

        // The second snapshot's files are untouched and restore.
        var target = Scratch.Combine("restored");
        var restore = await CliProcess.RunAsync(environment, "restore", "latest", "--target", target);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        FaultEnvironment.AssertSameFiles(second, BackedUpPath.Under(target, second));

        var reindexing = await CliProcess.RunAsync(environment, "backup", second);
        Assert.True(reindexing.ExitCode == 0, reindexing.ToString());
        Assert.Contains(FaultEnvironment.ZtdrLines(reindexing), l => l.StartsWith("ztdr: reusing ", StringComparison.Ordinal));

        var healed = await CliProcess.RunAsync(environment, "verify", "--read-data");
        Assert.True(healed.ExitCode == 0, healed.ToString());
        var whole = Scratch.Combine("whole");
        var restoreFirst = await CliProcess.RunAsync(environment, "restore", firstSnapshot, "--target", whole);
        Assert.True(restoreFirst.ExitCode == 0, restoreFirst.ToString());
        FaultEnvironment.AssertSameFiles(first, BackedUpPath.Under(whole, first));
    }
}
