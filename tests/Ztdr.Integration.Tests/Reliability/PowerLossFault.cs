using Ztdr.Testing;

namespace Ztdr.Integration.Tests.Reliability;

/// <summary>Where in the vault's work a power-loss round cuts the power.</summary>
internal enum PowerLossPoint
{
    /// <summary>At a random moment of the concurrent workload: kill -9, then <c>lazyfs::clear-cache</c>.</summary>
    RandomMoment,

    /// <summary>A PUT: before a staged body's fsync, or before its rename into <c>objects/</c>.</summary>
    Put,

    /// <summary>While a CompleteMultipartUpload is sent: before the next fsync of the SQLite WAL.</summary>
    MultipartCompletion,

    /// <summary>While a PutObjectRetention is sent: before the next write to the SQLite WAL.</summary>
    RetentionChange,

    /// <summary>An audit append: before the log's fsync, or before the head anchor's rename.</summary>
    AuditAppend,

    /// <summary>A SQLite checkpoint: before a write to <c>vault.db</c> itself (only checkpoints write it in WAL mode).</summary>
    Checkpoint,

    /// <summary>
    /// Start-up cleanup: the power goes during a PUT as for <see cref="Put"/>, and again at the restart, before a
    /// staging leftover's unlink or a quarantine rename.
    /// </summary>
    StartupCleanup,
}

/// <summary>The LazyFS crash faults (shared/tools/lazyfs/README.md) aimed at each point, and when to arm them.</summary>
internal static class PowerLossFault
{
    /// <summary>Arms the fault for <paramref name="point"/>; <paramref name="random"/> picks among its variants.</summary>
    public static Task ArmAsync(LazyFsMount mount, PowerLossPoint point, Random random) => point switch
    {
        PowerLossPoint.Put => random.Next(2) == 0
            ? mount.ArmCrashAsync("fsync", fromRegex: "/vault/tmp/[0-9a-f]{32}$")
            : mount.ArmCrashAsync("rename", fromRegex: "/vault/tmp/[0-9a-f]{32}$", toRegex: "/vault/objects/"),
        PowerLossPoint.MultipartCompletion => mount.ArmCrashAsync("fsync", fromRegex: "/vault/meta/vault\\.db-wal$"),
        PowerLossPoint.RetentionChange => mount.ArmCrashAsync("write", fromRegex: "/vault/meta/vault\\.db-wal$"),
        PowerLossPoint.AuditAppend => random.Next(2) == 0
            ? mount.ArmCrashAsync("fsync", fromRegex: "/vault/audit/log\\.jsonl$")
            : mount.ArmCrashAsync("rename", toRegex: "/vault/audit/head$"),
        PowerLossPoint.Checkpoint => mount.ArmCrashAsync("write", fromRegex: "/vault/meta/vault\\.db$"),
        PowerLossPoint.StartupCleanup => ArmBothAsync(
            () => mount.ArmCrashAsync("unlink", fromRegex: "/vault/tmp/"),
            () => mount.ArmCrashAsync("rename", toRegex: "/vault/quarantine/"),
            random.Next(2) == 0),
        _ => throw new ArgumentOutOfRangeException(nameof(point), point, "armed by time, not by a fault"),
    };

    /// <summary>Cleanup unlinks staging leftovers and quarantines unreferenced files: whichever comes first is cut.</summary>
    private static async Task ArmBothAsync(Func<Task> one, Func<Task> other, bool swap)
    {
        await (swap ? other : one)();
        await (swap ? one : other)();
    }

    /// <summary>Points armed when the workload is about to send one kind of request, not after a delay.</summary>
    public static CrashWorkload.Operation? ArmedBy(PowerLossPoint point) => point switch
    {
        PowerLossPoint.MultipartCompletion => CrashWorkload.Operation.MultipartCompletion,
        PowerLossPoint.RetentionChange => CrashWorkload.Operation.RetentionChange,
        _ => null,
    };
}
