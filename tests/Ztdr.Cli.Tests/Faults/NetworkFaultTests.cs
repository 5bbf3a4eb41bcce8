using System.Text.Json;
using Xunit.Abstractions;
using Ztdr.Cli.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Faults;

/// <summary>
/// Network faults between ztdr and the vault, injected by a <see cref="FaultProxy"/> on the path: transient ones
/// (connections reset mid-request, connections dropped at once, latency) are retried and the run completes with a
/// repository that verifies; a permanent one (every connection refused) ends the run in one line with exit 1, and the
/// next run, with the network back, completes.
/// </summary>
public sealed class NetworkFaultTests(ITestOutputHelper output) : VaultCliTest("network-faults")
{
    private const int FileSize = 4 * 1024 * 1024;

    [Fact]
    public async Task Backup_ConnectionsResetAndDropped_RetriesCompletesAndVerifies()
    {
        await using var proxy = FaultProxy.Start(Vault.Port);
        var environment = FaultEnvironment.For(Vault, "flaky");
        environment["ZTDR_DEBUG"] = "1"; // a failure shows its cause chain in the test output, not only the one line
        environment["ZTDR_REPOSITORY"] = FaultEnvironment.Url(proxy.Port, "flaky");
        var source = FaultEnvironment.CreateIncompressibleTree(Scratch.Combine("data"), 3, FileSize);
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "init", "--retention", "1d")).ExitCode);

        // Three connections are reset after 1 MiB (mid-upload of a pack) and three of every third new one are dropped
        // before a byte. Two uploads are in flight, so one request may meet all six faults in turn (CI once saw one
        // meet five): six retries are enough for the worst case, and the run must complete.
        environment["ZTDR_S3_MAX_RETRIES"] = "6";
        proxy.ResetAfterBytes = 1024 * 1024;
        proxy.ResetsLeft = 3;
        proxy.DropEvery = 3;
        proxy.DropsLeft = 3;
        proxy.Latency = TimeSpan.FromMilliseconds(1);
        var backup = await CliProcess.RunAsync(environment, "backup", "--json", source);

        output.WriteLine($"backup: {proxy.Connections} connections, {proxy.Faults} faults injected");
        Assert.True(backup.ExitCode == 0, backup.ToString());
        Assert.True(proxy.Faults >= 4, $"only {proxy.Faults} faults were injected");
        using (var summary = JsonDocument.Parse(backup.StandardOutput))
        {
            Assert.Equal(3L * FileSize, summary.RootElement.GetProperty("bytesRead").GetInt64());
        }

        // The structure verifies; reading back through the same faults (responses cut mid-body) restores every file.
        proxy.ResetsLeft = 0;
        var verify = await CliProcess.RunAsync(environment, "verify");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        var target = Scratch.Combine("restored");
        var faultsBefore = proxy.Faults;
        proxy.ResetsLeft = 3;
        proxy.DropsLeft = 3;
        var restore = await CliProcess.RunAsync(environment, "restore", "latest", "--target", target);
        output.WriteLine($"restore: {proxy.Faults - faultsBefore} faults injected");
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.True(proxy.Faults >= faultsBefore + 3, $"{proxy.Faults - faultsBefore} faults injected while reading back");
        FaultEnvironment.AssertSameFiles(source, BackedUpPath.Under(target, source));
    }

    [Fact]
    public async Task Copy_BothZonesBehindFaultyNetwork_RetriesCompletesAndTargetVerifies()
    {
        await using var zoneB = await VaultProcess.StartAsync();
        await using var toA = FaultProxy.Start(Vault.Port);
        await using var toB = FaultProxy.Start(zoneB.Port);
        var zoneA = FaultEnvironment.For(Vault, "zone-a");
        var source = FaultEnvironment.CreateIncompressibleTree(Scratch.Combine("data"), 3, FileSize);
        Assert.Equal(0, (await CliProcess.RunAsync(zoneA, "init", "--retention", "1d")).ExitCode);
        Assert.Equal(0, (await CliProcess.RunAsync(zoneA, "backup", source)).ExitCode);
        var zoneBEnvironment = FaultEnvironment.ZoneB(zoneB, zoneB.Port);
        Assert.Equal(0, (await CliProcess.RunAsync(zoneBEnvironment, "init", "--retention", "1d")).ExitCode);

        // --dry-run: what would be copied, and nothing written to B.
        var reader = FaultEnvironment.For(Vault, "zone-a", "reader");
        var beforeB = await FaultEnvironment.ListAsync(zoneB, "zone-b/");
        var dryRun = await CliProcess.RunAsync(reader, FaultEnvironment.CopyToZoneB(Scratch, zoneB, zoneB.Port, "--dry-run", "--json"));
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        using (var plan = JsonDocument.Parse(dryRun.StandardOutput))
        {
            Assert.True(plan.RootElement.GetProperty("dryRun").GetBoolean());
            Assert.Equal(1, plan.RootElement.GetProperty("snapshotsToCopy").GetInt32());
            Assert.InRange(plan.RootElement.GetProperty("bytesToRead").GetInt64(), 3L * FileSize, (3L * FileSize) + (64 * 1024));
        }

        Assert.Equal(beforeB, await FaultEnvironment.ListAsync(zoneB, "zone-b/"));

        // Downloads from A are reset mid-body, uploads to B mid-body, and some connections to B never get a byte. Copy
        // reads up to 8 blobs at once, so the 12 MiB from A spread over that many connections: a reset after 256 KiB
        // still meets every connection that carries a blob or more.
        toA.ResetAfterBytes = 256 * 1024;
        toA.ResetsLeft = 3;
        toB.ResetAfterBytes = 1024 * 1024;
        toB.ResetsLeft = 3;
        toB.DropEvery = 4;
        toB.DropsLeft = 3;
        reader["ZTDR_S3_MAX_RETRIES"] = "6";
        reader["ZTDR_REPOSITORY"] = FaultEnvironment.Url(toA.Port, "zone-a");
        var copy = await CliProcess.RunAsync(reader, FaultEnvironment.CopyToZoneB(Scratch, zoneB, toB.Port, "--json"));

        output.WriteLine($"copy: {toA.Faults} faults towards A, {toB.Faults} towards B");
        Assert.True(copy.ExitCode == 0, copy.ToString());
        Assert.True(toA.Faults >= 3 && toB.Faults >= 4, $"{toA.Faults} faults towards A, {toB.Faults} towards B");
        using (var summary = JsonDocument.Parse(copy.StandardOutput))
        {
            Assert.Equal(1, summary.RootElement.GetProperty("snapshotsCopied").GetInt32());
            Assert.Equal(0, summary.RootElement.GetProperty("snapshotsSkipped").GetInt32());
            Assert.True(summary.RootElement.GetProperty("targetVerified").GetBoolean());
            Assert.Matches("^[0-9a-f]{64}$", Assert.Single(summary.RootElement.GetProperty("snapshots").EnumerateArray()).GetProperty("target").GetString());
        }

        var target = Scratch.Combine("restored");
        var restore = await CliProcess.RunAsync(zoneBEnvironment, "restore", "latest", "--target", target);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        FaultEnvironment.AssertSameFiles(source, BackedUpPath.Under(target, source));
    }

    [Fact]
    public async Task Backup_NetworkDownForGood_OneLineNonZero_NextRunCompletes()
    {
        await using var proxy = FaultProxy.Start(Vault.Port);
        var environment = FaultEnvironment.For(Vault, "down");
        environment["ZTDR_REPOSITORY"] = FaultEnvironment.Url(proxy.Port, "down");
        var source = FaultEnvironment.CreateIncompressibleTree(Scratch.Combine("data"), 2, FileSize);
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "init", "--retention", "1d")).ExitCode);

        // Every connection is reset once 64 KiB went through: the repository opens, no pack ever gets through.
        proxy.ResetAfterBytes = 64 * 1024;
        var failed = await CliProcess.RunAsync(environment, "backup", source);

        Assert.True(failed.ExitCode == 1, failed.ToString());
        Assert.Empty(failed.StandardOutput);
        var line = Assert.Single(FaultEnvironment.ZtdrLines(failed));
        Assert.StartsWith("ztdr: storage unavailable: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", failed.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain(await FaultEnvironment.ListAsync(Vault, "down/"), o => o.Key.StartsWith("down/snapshots/", StringComparison.Ordinal));

        proxy.ResetAfterBytes = null;
        var resumed = await CliProcess.RunAsync(environment, "backup", source);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var target = Scratch.Combine("restored");
        Assert.Equal(0, (await CliProcess.RunAsync(environment, "restore", "latest", "--target", target)).ExitCode);
        FaultEnvironment.AssertSameFiles(source, BackedUpPath.Under(target, source));
    }
}
