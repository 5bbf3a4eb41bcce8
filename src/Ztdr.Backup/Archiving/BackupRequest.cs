using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Archiving;

/// <summary>
/// What to back up. Each path becomes one node of the snapshot's root tree, named by its last component (so two
/// paths with the same last component cannot go in one snapshot); the snapshot records the absolute paths.
/// </summary>
internal sealed record BackupRequest(IReadOnlyList<string> Paths)
{
    public string Hostname { get; init; } = Environment.MachineName;

    public string Username { get; init; } = Environment.UserName;

    public IReadOnlyList<string> Tags { get; init; } = [];

    public ObjectId? Parent { get; init; }

    /// <summary>Told after each file and folder; called on the backup's own flow, so keep it cheap.</summary>
    public IProgress<BackupProgress>? Progress { get; init; }

    public string Program { get; init; } = "ztdr " + (typeof(BackupRequest).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
}
