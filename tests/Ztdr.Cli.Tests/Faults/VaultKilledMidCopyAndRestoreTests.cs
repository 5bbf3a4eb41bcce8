using System.Text.Json;
using Xunit.Abstractions;
using Ztdr.Cli.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Faults;

/// <summary>
/// A vault killed (SIGKILL) while <c>ztdr copy</c> writes to it or <c>ztdr restore</c> reads from it: the command
/// stops in one line with exit 1, leaves no snapshot (copy) and no partial or temporary file (restore), and after the
/// vault restarts on the same data folder the next run completes: the copy moves only what is missing, the restore is
/// byte-identical. A <see cref="FaultProxy"/> on the path stalls the traffic at a known byte count, so the kill lands
/// mid-run without guessing at timings.
/// </summary>
public sealed class VaultKilledMidCopyAndRestoreTests(ITestOutputHelper output) : VaultCliTest("vault-killed")
{
    private const int FileCount = 5;
    private const int FileSize = 8 * 1024 * 1024;

    [Fact]
    public async Task Copy_TargetVaultKilledMidRun_OneLineNoSnapshot_NextCopyMovesOnlyWhatIsMissing()
    {
        await using var zoneB = await VaultProcess.StartAsync();
        await using var toB = FaultProxy.Start(zoneB.Port);
        var zoneA = FaultEnvironment.For(Vault, "zone-a");
        var source = FaultEnvironment.CreateIncompressibleTree(Scratch.Combine("data"), FileCount, FileSize);
        Assert.Equal(0, (await CliProcess.RunAsync(zoneA, "init", "--retention", "1d")).ExitCode);
        Assert.Equal(0, (await CliProcess.RunAsync(zoneA, "backup", source)).ExitCode);
        var zoneBEnvironment = FaultEnvironment.ZoneB(zoneB, zoneB.Port);
        Assert.Equal(0, (await CliProcess.RunAsync(zoneBEnvironment, "init", "--retention", "1d")).ExitCode);
        var reader = FaultEnvironment.For(Vault, "zone-a", "reader");

        // 16 MiB packs, two uploads at once: at 36 MiB sent at least one pack is complete, and the last is not.
        toB.StallAfterUploadBytes = 36L * 1024 * 1024;
        var interrupted = CliProcess.RunAsync(reader, FaultEnvironment.CopyToZoneB(Scratch, zoneB, toB.Port, "--json"));
        await StalledAsync(toB, interrupted);
        zoneB.KillHard();
        toB.Resume();
        var failed = await interrupted;

        // Under --json the one line is the error object (docs/json-output.md), and no text line comes with it.
        Assert.True(failed.ExitCode == 1, failed.ToString());
        Assert.Empty(failed.StandardOutput);
        Assert.Empty(FaultEnvironment.ZtdrLines(failed));
        var (message, exitCode) = FaultEnvironment.JsonError(failed);
        Assert.StartsWith("storage unavailable: ", message, StringComparison.Ordinal);
        Assert.Equal(1, exitCode);
        Assert.DoesNotContain(" at ", failed.StandardError, StringComparison.Ordinal);

        await zoneB.RestartAsync();
        var objects = await FaultEnvironment.ListAsync(zoneB, "zone-b/");
        Assert.DoesNotContain(objects, o => o.Key.StartsWith("zone-b/snapshots/", StringComparison.Ordinal));
        var uploaded = objects.Where(o => o.Key.StartsWith("zone-b/data/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(uploaded);
        var uploadedBytes = uploaded.Sum(o => o.Size);

        var resumed = await CliProcess.RunAsync(reader, FaultEnvironment.CopyToZoneB(Scratch, zoneB, toB.Port, "--json"));

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains($"ztdr: reusing {uploaded.Count} packs uploaded by an interrupted copy or backup", FaultEnvironment.ZtdrLines(resumed));
        long copiedBytes;
        using (var summary = JsonDocument.Parse(resumed.StandardOutput))
        {
            Assert.Equal(1, summary.RootElement.GetProperty("snapshotsCopied").GetInt32());
            Assert.True(summary.RootElement.GetProperty("targetVerified").GetBoolean());
            copiedBytes = summary.RootElement.GetProperty("bytesCopied").GetInt64();
        }

        output.WriteLine($"killed with {uploaded.Count} packs ({uploadedBytes} bytes) stored; the resumed copy added {copiedBytes} of {(long)FileCount * FileSize} bytes");
        Assert.InRange(copiedBytes, 0, ((long)FileCount * FileSize) - uploadedBytes + (1024 * 1024));
        var after = await FaultEnvironment.ListAsync(zoneB, "zone-b/");
        Assert.All(uploaded, o => Assert.Contains(o, after));

        var target = Scratch.Combine("restored");
        var restore = await CliProcess.RunAsync(zoneBEnvironment, "restore", "latest", "--target", target);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        FaultEnvironment.AssertSameFiles(source, BackedUpPath.Under(target, source));
    }

    [Fact]
    public async Task Restore_VaultKilledMidRun_OneLineNoPartialOrTemporaryFile_NextRestoreIdentical()
    {
        await using var proxy = FaultProxy.Start(Vault.Port);
        var environment = FaultEnvironment.For(Vault, "restore");
        var source = FaultEnvironment.CreateIncompressibleTree(Scratch.Combine("data"), FileCount, FileSize);
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "init", "--retention", "1d")).ExitCode);
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "backup", source)).ExitCode);
        environment["ZTDR_REPOSITORY"] = FaultEnvironment.Url(proxy.Port, "restore");
        var target = Scratch.Combine("restored");

        // Half the data downloaded, then silence: files are being written when the vault dies.
        proxy.StallAfterDownloadBytes = (long)FileCount * FileSize / 2;
        var interrupted = CliProcess.RunAsync(environment, "restore", "latest", "--target", target);
        await StalledAsync(proxy, interrupted);
        Vault.KillHard();
        proxy.Resume();
        var failed = await interrupted;

        Assert.True(failed.ExitCode == 1, failed.ToString());
        Assert.Empty(failed.StandardOutput);
        var line = Assert.Single(FaultEnvironment.ZtdrLines(failed));
        Assert.StartsWith("ztdr: storage unavailable: ", line, StringComparison.Ordinal);
        FaultEnvironment.AssertNoPartialFiles(source, BackedUpPath.Under(target, source));

        await Vault.RestartAsync();
        var resumed = await CliProcess.RunAsync(environment, "restore", "latest", "--target", target, "--overwrite");

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        FaultEnvironment.AssertSameFiles(source, BackedUpPath.Under(target, source));
    }

    /// <summary>Waits until the proxy stalled the run's traffic; fails if the run ended first.</summary>
    private static async Task StalledAsync(FaultProxy proxy, Task<ProcessResult> run)
    {
        if (await Task.WhenAny(proxy.Stalled, run) != proxy.Stalled)
        {
            Assert.Fail("the run ended before the vault could be killed: " + await run);
        }
    }
}
