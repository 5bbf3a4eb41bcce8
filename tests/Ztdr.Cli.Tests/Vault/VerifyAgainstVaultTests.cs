using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.S3.Model;
using Ztdr.Cli.Tests.Faults;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Vault;

/// <summary>
/// verify and ls with the ztdr executable against a real ztdr-vault, with the backup key: a clean repository passes
/// with lock coverage checked against the vault's own retention; a pack damaged on the vault's disk (as a failing
/// disk or an attacker with root on the appliance would leave it) fails <c>--read-data</c>, naming the pack, the
/// snapshot and the file.
/// </summary>
public sealed class VerifyAgainstVaultTests() : VaultCliTest("cli-verify-vault")
{
    private const string Prefix = "verify";
    [Fact]
    public async Task Verify_CleanThenPackTamperedOnVaultDisk_ReadDataFailsNamingPackSnapshotAndFile()
    {
        var environment = Environment();
        var source = CreateSourceTree(Scratch.Combine("data"));

        // The 3 MiB file comes in a second backup, so the largest pack holds its blobs alone: in one backup the parallel
        // archiver may place the 100 KiB file's blob anywhere among them, even on the byte the tamper flips.
        var threeM = Path.Combine(source, "sub", "three-m");
        var threeMBytes = File.ReadAllBytes(threeM);
        File.Delete(threeM);
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "init", "--retention", "1d")).ExitCode);
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "backup", source)).ExitCode);
        File.WriteAllBytes(threeM, threeMBytes);
        var backup = await CliProcess.RunAsync(environment, "backup", "--json", source);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        string snapshot;
        using (var summary = JsonDocument.Parse(backup.StandardOutput))
        {
            snapshot = summary.RootElement.GetProperty("snapshot").GetString()!;
        }

        var clean = await CliProcess.RunAsync(environment, "verify", "--read-data", "--json");
        Assert.True(clean.ExitCode == 0, clean.ToString());
        using (var report = JsonDocument.Parse(clean.StandardOutput))
        {
            Assert.Equal(0, report.RootElement.GetProperty("errors").GetInt32());
            Assert.True(report.RootElement.GetProperty("lockCoverageChecked").GetBoolean());
            Assert.Empty(report.RootElement.GetProperty("warnings").EnumerateArray());
            Assert.Equal(report.RootElement.GetProperty("packs").GetInt32(), report.RootElement.GetProperty("packsRead").GetInt32());
        }

        // Snapshots store absolute paths: the folder is listed by the path it was backed up from.
        var listing = await CliProcess.RunAsync(environment, "ls", "latest", source + "/sub", "-l");
        Assert.True(listing.ExitCode == 0, listing.ToString());
        var sub = Regex.Escape(source + "/sub");
        Assert.Matches(@"^drwx[-rwx]{6} +\d+ +\d+ +0 [-0-9]{10} [:0-9]{8}Z " + sub + @"\n-[-rwx]{9} +\d+ +\d+ +102400 .+ " + sub + @"/hundred-k\n-[-rwx]{9} +\d+ +\d+ +3145728 .+ " + sub + @"/three-m\n$", listing.StandardOutput);

        var pack = await TamperLargestOnDiskAsync("data/");

        var damaged = await CliProcess.RunAsync(environment, "verify", "--read-data");

        Assert.True(damaged.ExitCode == 1, damaged.ToString());
        var lines = CliProcess.Lines(damaged.StandardOutput);
        var row = Assert.Single(lines, l => l.StartsWith("blob-damaged", StringComparison.Ordinal));
        Assert.Contains(pack, row, StringComparison.Ordinal);
        Assert.Contains(snapshot[..8], row, StringComparison.Ordinal);
        Assert.Contains("    " + source + "/sub/three-m", lines);
        Assert.DoesNotContain("    " + source + "/ten-k", lines);
        Assert.DoesNotContain("    " + source + "/sub/hundred-k", lines);
        Assert.Equal("1 error found, 1 of 2 snapshots affected", lines[^1]);

        // Without --read-data nothing downloads file content: the structure and the locks are still sound.
        var structure = await CliProcess.RunAsync(environment, "verify");
        Assert.True(structure.ExitCode == 0, structure.ToString());

        // Nothing else is lost: every file verify did not name restores byte for byte; the damaged one refuses to.
        var rest = Scratch.Combine("rest");
        var restore = await CliProcess.RunAsync(environment, "restore", "latest", "--target", rest, "--exclude", source + "/sub/three-m");
        Assert.True(restore.ExitCode == 0, restore.ToString());
        foreach (var name in new[] { "one", "ten-k", "sub/hundred-k" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(source, name)), File.ReadAllBytes(BackedUpPath.Under(rest, source, name)));
        }

        var whole = await CliProcess.RunAsync(environment, "restore", "latest", "--target", Scratch.Combine("whole"));
        Assert.True(whole.ExitCode == 1, whole.ToString());
        Assert.False(File.Exists(BackedUpPath.Under(Scratch.Combine("whole"), source, "sub", "three-m")));
    }

    [Fact]
    public async Task Verify_SnapshotObjectTamperedOnVaultDisk_NamesTheSnapshotWithOneLineErrorsNotACrash()
    {
        var environment = Environment();
        var source = CreateSourceTree(Scratch.Combine("data"));
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "init", "--retention", "1d")).ExitCode);
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "backup", source)).ExitCode);
        var snapshot = await TamperLargestOnDiskAsync("snapshots/");

        var verify = await CliProcess.RunAsync(environment, "verify");
        var listing = await CliProcess.RunAsync(environment, "snapshots");

        // The object's bytes changed under storage's own checksum: the client's authentication must be what reports
        // it, naming the snapshot, and no command may end as an unexpected exception (exit 70).
        Assert.True(verify.ExitCode == 1, verify.ToString());
        Assert.True(verify.StandardOutput.Contains(snapshot["snapshots/".Length..][..8], StringComparison.Ordinal), verify.ToString());
        Assert.True(listing.ExitCode == 1, listing.ToString());
        Assert.Matches("^ztdr: integrity check failed [^\n]*snapshots/[0-9a-f]{64}' is damaged in storage[^\n]*\n$", listing.StandardError);
    }

    /// <summary>
    /// Finds the largest object under <paramref name="under"/> through S3, then the vault data file holding exactly its bytes (docs/vault-storage.md:
    /// objects/&lt;2 hex&gt;/&lt;file id&gt;, mode 0400), and flips the byte in its middle. Returns the repository name.
    /// </summary>
    private async Task<string> TamperLargestOnDiskAsync(string under)
    {
        using var client = Vault.CreateClient("backup");
        var objects = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = VaultProcess.DefaultBucket, Prefix = Prefix + "/" + under });
        var largest = objects.S3Objects.MaxBy(o => o.Size)!;
        await FaultEnvironment.TamperOnDiskAsync(Vault, largest.Key);
        return largest.Key[(Prefix.Length + 1)..];
    }

    /// <summary>Four files (1 B, 10 KiB, 100 KiB, 3 MiB of random bytes).</summary>
    private static string CreateSourceTree(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "sub"));
        var random = new Random(42);
        foreach (var (name, size) in new[] { ("one", 1), ("ten-k", 10 * 1024), ("sub/hundred-k", 100 * 1024), ("sub/three-m", 3 * 1024 * 1024) })
        {
            var bytes = new byte[size];
            random.NextBytes(bytes);
            File.WriteAllBytes(Path.Combine(root, name), bytes);
        }

        return root;
    }

    private Dictionary<string, string> Environment() => EnvironmentFor(Vault, Prefix);
}
