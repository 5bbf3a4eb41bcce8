namespace Ztdr.Backup.Archiving;

/// <summary>Running totals of a backup, for a progress display; <see cref="CurrentPath"/> is the entry just finished.</summary>
internal sealed record BackupProgress(long Files, long Dirs, long BytesRead, long AddedBytes, string CurrentPath);
