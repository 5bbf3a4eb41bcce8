using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.S3.Model;
using Xunit.Abstractions;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Reliability;

/// <summary>
/// Concurrent S3 writers while the vault is killed with SIGKILL at random moments, round after round. After every
/// restart: each acknowledged write reads back whole with its ETag, version id and lock; acknowledged deletes stay
/// deleted; what was in flight is absent or whole; scrub finds no damage and no orphan, and quarantine holds at most one
/// file per request in flight per kill; the audit chain verifies.
/// ZTDR_CRASH_ROUNDS sets the rounds: 3 here, enough for every assertion to run after more than one kill within the
/// suite's budget; bench/crash.sh runs the long version (12 rounds or more). ZTDR_CRASH_SEED replays a run.
/// </summary>
public sealed class CrashConsistencyTests
{
    private const string Bucket = VaultProcess.DefaultBucket;
    private readonly ITestOutputHelper _output;

    public CrashConsistencyTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task Kill9DuringConcurrentWrites_AcknowledgedStateSurvivesEveryRestart()
    {
        var rounds = EnvInt("ZTDR_CRASH_ROUNDS", 3);
        var seed = EnvInt("ZTDR_CRASH_SEED", RandomNumberGenerator.GetInt32(int.MaxValue));
        _output.WriteLine($"crash consistency: seed {seed} (ZTDR_CRASH_SEED={seed} replays it), {rounds} rounds");
        var random = new Random(seed);
        var ledger = new CrashLedger();
        var workload = new CrashWorkload(ledger);

        // The workload writes new versions of existing names: S3's overwrite semantics, not init's write-once default.
        await using var vault = await VaultProcess.StartAsync(initArguments: ["--no-write-once"]);
        long objectsChecked = 0;
        for (var round = 0; round < rounds; round++)
        {
            var killAfter = TimeSpan.FromMilliseconds(random.Next(300, 1800));
            var failures = new ConcurrentQueue<string>();
            var killing = new KillSwitch();
            var clients = Enumerable.Range(0, CrashWorkload.Workers).Select(_ => vault.CreateClient(configure: CrashWorkload.NoRetries)).ToList();
            var workers = Enumerable.Range(0, CrashWorkload.Workers)
                .Select(w => Task.Run(() => workload.WorkAsync(clients[w], w, round, new Random(HashCode.Combine(seed, round, w)), killing, failures)))
                .ToList();
            await Task.Delay(killAfter);
            killing.Set();
            vault.KillHard();
            await Task.WhenAll(workers);
            clients.ForEach(c => c.Dispose());
            Assert.True(failures.IsEmpty, $"seed {seed} round {round}: an operation failed before the kill: {string.Join("; ", failures)}");

            await vault.RestartAsync();
            objectsChecked += await CrashWorkload.VerifyAsync(vault, ledger, full: round == rounds - 1, maxQuarantined: CrashWorkload.Workers * (round + 1), $"seed {seed} round {round}");
            _output.WriteLine($"round {round}: killed after {killAfter.TotalMilliseconds:0} ms; {ledger.AliveCount} versions expected");
        }

        var tail = await VaultProcess.RunVaultAsync(["audit", "tail", "--data", vault.DataDirectory, "--json", "-n", "1000000"]);
        var quarantined = tail.StandardOutput.Split('\n').Count(line => line.Contains("startup:quarantine", StringComparison.Ordinal));
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"survived {rounds} rounds: {ledger.AcknowledgedWrites} acknowledged writes, {ledger.AcknowledgedDeletes} deletes, {ledger.AcknowledgedRetentions} retention extensions; {objectsChecked} version reads checked byte for byte; {ledger.AliveCount} versions at the end; startup recovery quarantined {quarantined} unacknowledged data files over {rounds} kills"));
    }

    [Fact]
    public async Task Restart_DataFileNoVersionNames_IsQuarantinedNamedInAuditAndScrub_KeepsReferencedOnes()
    {
        await using var vault = await VaultProcess.StartAsync();
        var body = RandomNumberGenerator.GetBytes(100_000);
        string versionId;
        using (var s3 = vault.CreateClient())
        {
            versionId = (await s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "kept", InputStream = new MemoryStream(body) })).VersionId;
        }

        // A complete, read-only data file no row names: what a kill between publish and commit leaves, and also what a
        // lost or rolled-back vault.db leaves. The vault cannot tell them apart, so it must not delete it.
        var fileId = "ab" + new string('0', 30);
        var leftover = Path.Combine(vault.DataDirectory, "objects", "ab", fileId);
        var bytes = RandomNumberGenerator.GetBytes(4096);
        await File.WriteAllBytesAsync(leftover, bytes);
        File.SetUnixFileMode(leftover, UnixFileMode.UserRead);
        vault.KillHard();
        await vault.RestartAsync();

        Assert.False(File.Exists(leftover), "an unreferenced data file stayed in objects/");
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(vault.DataDirectory, "quarantine", fileId)));
        using (var s3 = vault.CreateClient())
        {
            using var get = await s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = "kept", VersionId = versionId });
            using var copy = new MemoryStream();
            await get.ResponseStream.CopyToAsync(copy);
            Assert.Equal(body, copy.ToArray());
        }

        using (var health = JsonDocument.Parse(await vault.AdminGetAsync("/admin/v1/health")))
        {
            Assert.Equal("degraded", health.RootElement.GetProperty("status").GetString());
            Assert.Equal(1, health.RootElement.GetProperty("quarantinedFiles").GetInt32());
        }

        var tail = await VaultProcess.RunVaultAsync(["audit", "tail", "--data", vault.DataDirectory, "--json", "-n", "50"]);
        Assert.Contains(tail.StandardOutput.Split('\n'), line => line.Contains("\"startup:quarantine\"", StringComparison.Ordinal) && line.Contains(fileId, StringComparison.Ordinal));
        var scrub = await VaultProcess.RunVaultAsync(["scrub", "--data", vault.DataDirectory, "--json", "--orphan-grace-seconds", "0"]);
        Assert.True(scrub.ExitCode == 1, scrub.ToString());
        using var report = JsonDocument.Parse(scrub.StandardOutput);
        Assert.Equal(fileId, report.RootElement.GetProperty("quarantined").EnumerateArray().Single().GetProperty("fileId").GetString());
        Assert.Empty(report.RootElement.GetProperty("findings").EnumerateArray());
    }

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
