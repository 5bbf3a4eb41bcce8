using System.Security.Cryptography;
using System.Text.Json;
using Xunit.Abstractions;
using Ztdr.Cli.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Faults;

/// <summary>
/// The vault is killed (SIGKILL) while <c>ztdr backup</c> uploads: ztdr gives up after its retries in one line and
/// leaves no snapshot; after the vault restarts on the same data folder, the next backup reuses the packs that were
/// already uploaded and a restore is identical.
/// </summary>
public sealed class VaultDownDuringBackupTests(ITestOutputHelper output) : VaultCliTest("vault-down")
{
    private const string Prefix = "vault-down";
    private const int FileCount = 16;
    private const int FileSize = 16 * 1024 * 1024;

    [Fact]
    public async Task Backup_VaultKilledMidRun_FailsInOneLineNoSnapshot_NextBackupReusesUploadedPacksAndRestoresIdentically()
    {
        var environment = FaultEnvironment.For(Vault, Prefix);
        var source = CreateIncompressibleTree(Scratch.Combine("data"));
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "init", "--retention", "1d")).ExitCode);

        var interrupted = CliProcess.RunAsync(environment, "backup", "--json", source);
        var packsAtKill = await WaitForPacksAsync(3, interrupted);
        Vault.KillHard();
        var failed = await interrupted;

        // Under --json the one line is the error object (docs/json-output.md), and no text line comes with it.
        Assert.True(failed.ExitCode == 1, failed.ToString());
        Assert.Empty(failed.StandardOutput);
        Assert.Empty(FaultEnvironment.ZtdrLines(failed));
        var (message, exitCode) = FaultEnvironment.JsonError(failed);
        Assert.StartsWith("storage unavailable: ", message, StringComparison.Ordinal);
        Assert.Equal(1, exitCode);

        await Vault.RestartAsync();
        var objects = await FaultEnvironment.ListAsync(Vault, Prefix + "/");
        Assert.DoesNotContain(objects, o => o.Key.StartsWith(Prefix + "/snapshots/", StringComparison.Ordinal));
        Assert.DoesNotContain(objects, o => o.Key.StartsWith(Prefix + "/index/", StringComparison.Ordinal));
        var uploaded = objects.Where(o => o.Key.StartsWith(Prefix + "/data/", StringComparison.Ordinal)).ToList();
        Assert.True(uploaded.Count >= packsAtKill, $"{uploaded.Count} packs stored, {packsAtKill} seen before the kill");
        var uploadedBytes = uploaded.Sum(o => o.Size);

        // Only backup recovers: listing with the read-only key works and writes nothing.
        var listing = await CliProcess.RunAsync(FaultEnvironment.For(Vault, Prefix, profile: "reader"), "snapshots", "--json");
        Assert.True(listing.ExitCode == 0, listing.ToString());
        Assert.Equal("[]", listing.StandardOutput.Trim());
        Assert.Equal(objects, await FaultEnvironment.ListAsync(Vault, Prefix + "/"));

        var resumed = await CliProcess.RunAsync(environment, "backup", "--json", source);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains($"ztdr: reusing {uploaded.Count} packs uploaded by an interrupted backup", FaultEnvironment.ZtdrLines(resumed));
        long addedBytes;
        using (var summary = JsonDocument.Parse(resumed.StandardOutput))
        {
            Assert.Equal((long)FileCount * FileSize, summary.RootElement.GetProperty("bytesRead").GetInt64());
            addedBytes = summary.RootElement.GetProperty("addedBytes").GetInt64();
        }

        output.WriteLine($"killed at {packsAtKill} packs; stored {uploaded.Count} packs ({uploadedBytes} bytes); interrupted run said: {message}");
        output.WriteLine($"resumed run added {addedBytes} of {(long)FileCount * FileSize} bytes");

        // Incompressible data: a pack's size is its blobs' size plus a few hundred bytes of headers, nonces and
        // trailer. What the first run stored is not added again; a few KiB of directory trees are.
        Assert.InRange(addedBytes, 0, ((long)FileCount * FileSize) - uploadedBytes + (1024 * 1024));
        var after = await FaultEnvironment.ListAsync(Vault, Prefix + "/");
        Assert.All(uploaded, o => Assert.Contains(o, after));
        Assert.Single(after, o => o.Key.StartsWith(Prefix + "/snapshots/", StringComparison.Ordinal));

        var target = Scratch.Combine("restored");
        var restore = await CliProcess.RunAsync(environment, "restore", "latest", "--target", target);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        foreach (var file in Directory.EnumerateFiles(source))
        {
            var expected = await File.ReadAllBytesAsync(file);
            var actual = await File.ReadAllBytesAsync(BackedUpPath.Under(target, source, Path.GetFileName(file)));
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{Path.GetFileName(file)} differs after restore");
        }
    }

    /// <summary>Waits until the bucket holds <paramref name="count"/> packs under the prefix; fails if the backup ends first.</summary>
    private async Task<int> WaitForPacksAsync(int count, Task<ProcessResult> backup)
    {
        while (true)
        {
            var packs = (await FaultEnvironment.ListAsync(Vault, Prefix + "/data/")).Count;
            if (packs >= count)
            {
                return packs;
            }

            Assert.False(backup.IsCompleted, "the backup ended before the vault could be killed: " + (backup.IsCompleted ? backup.Result.ToString() : string.Empty));
            await Task.Delay(50);
        }
    }

    private static string CreateIncompressibleTree(string root)
    {
        Directory.CreateDirectory(root);
        var buffer = new byte[FileSize];
        for (var i = 0; i < FileCount; i++)
        {
            RandomNumberGenerator.Fill(buffer);
            File.WriteAllBytes(Path.Combine(root, $"random{i:D2}.bin"), buffer);
        }

        return root;
    }
}
