using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Archiving;

/// <summary>
/// What to back up. Each path is stored under its absolute path: the snapshot's root tree is <c>/</c>, with the folders
/// down to each path (<see cref="BackupTargets"/>); a path inside another adds nothing. The snapshot records the
/// absolute paths.
/// </summary>
internal sealed record BackupRequest(IReadOnlyList<string> Paths)
{
    public string Hostname { get; init; } = Environment.MachineName;

    public string Username { get; init; } = Environment.UserName;

    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>
    /// The snapshot to compare with: files whose size, times, inode and device match its nodes are not read again.
    /// Null: the newest snapshot with this run's paths and hostname (as restic), if any.
    /// </summary>
    public ObjectId? Parent { get; init; }

    /// <summary>Read every file, with no parent snapshot (the snapshot records none).</summary>
    public bool Force { get; init; }

    /// <summary>
    /// Told after each file and folder, from the pipeline's worker threads (one call at a time, never concurrently), so
    /// keep it cheap. When set, a concurrent pre-scan counts files and bytes for <see cref="BackupProgress.TotalBytes"/>.
    /// </summary>
    public IProgress<BackupProgress>? Progress { get; init; }

    /// <summary>
    /// A count of <see cref="Paths"/> already under way (<see cref="PreScan.Start(IReadOnlyList{string})"/>), used for
    /// <see cref="Progress"/>'s totals instead of starting one; the backup stops it when it ends. The caller disposes it.
    /// </summary>
    public PreScan? Scan { get; init; }

    /// <summary>Compressing workers and file readers; defaults to one per core.</summary>
    public int Concurrency { get; init; } = Environment.ProcessorCount;

    public string Program { get; init; } = "ztdr " + (typeof(BackupRequest).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
}
