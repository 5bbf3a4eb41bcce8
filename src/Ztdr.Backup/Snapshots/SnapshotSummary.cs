namespace Ztdr.Backup.Snapshots;

/// <summary>The counts a snapshot records about the run that made it (repository-format.md § 9.2).</summary>
internal sealed record SnapshotSummary(long Files, long Dirs, long Bytes, long AddedBytes);
