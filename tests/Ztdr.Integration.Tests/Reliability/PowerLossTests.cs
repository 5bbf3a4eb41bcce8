using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Xunit.Abstractions;
using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Reliability;

/// <summary>
/// Power loss, which kill -9 alone cannot show (the page cache survives it): the vault's objects/, tmp/, quarantine/,
/// meta/ and audit/ on LazyFS, which keeps every unsynced byte in its own cache. Round after round, concurrent writers
/// run and the power goes at one of the <see cref="PowerLossPoint"/>s: a LazyFS crash fault at a syscall, or kill -9
/// and <c>lazyfs::clear-cache</c> at a random moment. After a remount and a restart, the checks of the kill -9 test:
/// every acknowledged write reads back whole, nothing half-written is visible, scrub and <c>audit verify</c> are clean.
/// ZTDR_POWERLOSS_ROUNDS sets the rounds: 3 here (the suite's budget; three consecutive points from a seeded start, so
/// runs rotate through all seven), bench/powerloss.sh runs 100 or more. ZTDR_POWERLOSS_SEED replays a run. Needs root
/// and /dev/fuse, and builds LazyFS on first use; fails, never skips, without them.
/// </summary>
public sealed class PowerLossTests
{
    /// <summary>How long an armed fault may wait for its syscall before the round falls back to clear-cache.</summary>
    private static readonly TimeSpan ArmedWait = TimeSpan.FromSeconds(8);
    private readonly ITestOutputHelper _output;

    public PowerLossTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task PowerLossDuringConcurrentWrites_AcknowledgedStateSurvivesEveryRemount()
    {
        var rounds = EnvInt("ZTDR_POWERLOSS_ROUNDS", 3);
        var seed = EnvInt("ZTDR_POWERLOSS_SEED", RandomNumberGenerator.GetInt32(int.MaxValue));
        _output.WriteLine($"power loss: seed {seed} (ZTDR_POWERLOSS_SEED={seed} replays it), {rounds} rounds");
        var started = DateTime.UtcNow;
        var random = new Random(seed);
        var ledger = new CrashLedger();
        var points = Enum.GetValues<PowerLossPoint>();
        var fired = points.ToDictionary(p => p, _ => 0);
        var fellBack = points.ToDictionary(p => p, _ => 0);

        await using var vault = await VaultProcess.StartAsync(initArguments: ["--no-write-once"]);
        await using var disk = await PowerLossDisk.MoveOntoAsync(vault);
        long objectsChecked = 0;
        var deaths = 0;
        var temporaryFilesLeft = 0;
        for (var round = 0; round < rounds; round++)
        {
            // Every point in turn from a seeded start, so a short run still covers as many as it has rounds.
            var point = points[(seed + round) % points.Length];
            var context = $"seed {seed} round {round} ({point})";
            var roundStarted = DateTime.UtcNow;
            var roundRandom = new Random(HashCode.Combine(seed, round));
            var operation = PowerLossFault.ArmedBy(point);
            var armed = 0;
            var workload = new CrashWorkload(ledger, maxMediumBytes: 3 << 20)
            {
                Sending = async sent =>
                {
                    if (sent == operation && Interlocked.Exchange(ref armed, 1) == 0)
                    {
                        await PowerLossFault.ArmAsync(disk.Mount, point, roundRandom);
                    }
                },
            };
            var failures = new ConcurrentQueue<string>();
            var killing = new KillSwitch();
            var clients = Enumerable.Range(0, CrashWorkload.Workers).Select(_ => vault.CreateClient(configure: CrashWorkload.NoRetries)).ToList();
            var workers = Enumerable.Range(0, CrashWorkload.Workers)
                .Select(w => Task.Run(() => workload.WorkAsync(clients[w], w, round, new Random(HashCode.Combine(seed, round, w)), killing, failures)))
                .ToList();

            await Task.Delay(roundRandom.Next(300, 1500));
            var crashed = false;
            if (point != PowerLossPoint.RandomMoment)
            {
                if (operation is null)
                {
                    // Start-up cleanup needs something to clean: a cut before a staged body's fsync leaves one in tmp/.
                    await PowerLossFault.ArmAsync(disk.Mount, point == PowerLossPoint.StartupCleanup ? PowerLossPoint.Put : point, roundRandom);
                }

                crashed = await disk.Mount.WaitForCrashAsync(ArmedWait);
            }

            // The power goes: the vault dies first, so nothing it does after the cut can be acknowledged; then
            // LazyFS drops what was never fsynced (already done when a crash fault fired) and dies itself.
            killing.Set();
            vault.KillHard();
            deaths++;
            if (!crashed)
            {
                await disk.Mount.ClearCacheAsync();
            }

            await Task.WhenAll(workers);
            clients.ForEach(c => c.Dispose());
            if (point != PowerLossPoint.StartupCleanup)
            {
                (point == PowerLossPoint.RandomMoment || crashed ? fired : fellBack)[point]++;
            }

            // Requests fail once LazyFS is gone, before the kill switch is set; only a clear-cache round has none.
            Assert.True(crashed || failures.IsEmpty, $"{context}: an operation failed before the power loss: {string.Join("; ", failures)}");
            var cut = DateTime.UtcNow;
            await disk.PowerCycleAsync();
            var leftByTheCut = disk.TemporaryFiles();
            temporaryFilesLeft += leftByTheCut.Count;

            if (point == PowerLossPoint.StartupCleanup)
            {
                var startupDeaths = await StartThroughAStartupCrashAsync(vault, disk, roundRandom, context);
                deaths += startupDeaths;
                (startupDeaths > 0 ? fired : fellBack)[point]++;
            }
            else
            {
                await vault.RestartAsync();
            }

            var restarted = DateTime.UtcNow;
            objectsChecked += await CrashWorkload.VerifyAsync(vault, ledger, full: round == rounds - 1, maxQuarantined: CrashWorkload.Workers * deaths, context);
            PowerLossDisk.AssertRemoved(leftByTheCut, context);
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: {point}, {(crashed ? "crash fault fired" : "kill -9 and clear-cache")}; {ledger.AliveCount} versions expected; {(cut - roundStarted).TotalSeconds:0.0} s writing, {(restarted - cut).TotalSeconds:0.0} s remount and restart, {(DateTime.UtcNow - restarted).TotalSeconds:0.0} s checking"));
        }

        var elapsed = DateTime.UtcNow - started;
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"survived {rounds} power losses in {elapsed.TotalSeconds:0} s: {ledger.AcknowledgedWrites} acknowledged writes, {ledger.AcknowledgedDeletes} deletes, {ledger.AcknowledgedRetentions} retention extensions; {objectsChecked} version reads checked byte for byte; {ledger.AliveCount} versions at the end; {deaths} vault deaths; {temporaryFilesLeft} temporary files left by cuts, all removed at restart"));
        _output.WriteLine("faults that fired, by point: " + string.Join(", ", fired.Select(p => $"{p.Key} {p.Value}")));
        _output.WriteLine("armed faults not reached (clear-cache instead): " + string.Join(", ", fellBack.Select(p => $"{p.Key} {p.Value}")));
    }

    /// <summary>
    /// Restarts with a fault armed in start-up cleanup. When it fires, the vault dies mid-cleanup and the power goes
    /// again; the next start must finish the job. Returns the extra deaths (0 or 1).
    /// </summary>
    private async Task<int> StartThroughAStartupCrashAsync(VaultProcess vault, PowerLossDisk disk, Random random, string context)
    {
        await PowerLossFault.ArmAsync(disk.Mount, PowerLossPoint.StartupCleanup, random);
        try
        {
            await vault.RestartAsync();
        }
        catch (InvalidOperationException) when (disk.Mount.HasCrashed)
        {
            // The vault exits when its file system goes away under it during start-up.
        }

        if (!disk.Mount.HasCrashed)
        {
            // Nothing to clean up, so the fault never fired: take it away with a quiet power cycle.
            _output.WriteLine($"{context}: start-up cleanup had nothing to remove");
            vault.KillHard();
            await disk.Mount.ClearCacheAsync();
            await disk.PowerCycleAsync();
            await vault.RestartAsync();
            return 0;
        }

        _output.WriteLine($"{context}: power lost during start-up cleanup");
        vault.KillHard();
        await disk.PowerCycleAsync();
        await vault.RestartAsync();
        return 1;
    }

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
