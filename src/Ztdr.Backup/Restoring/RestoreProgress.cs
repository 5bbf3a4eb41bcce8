namespace Ztdr.Backup.Restoring;

/// <summary>How far a restore is: files completed and bytes written, out of the totals its plan found.</summary>
internal sealed record RestoreProgress(long Files, long TotalFiles, long Bytes, long TotalBytes);
