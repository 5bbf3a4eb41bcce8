namespace Ztdr.Backup.Restoring;

/// <summary>What a restore wrote.</summary>
internal sealed record RestoreSummary(long Files, long Dirs, long Symlinks, long Bytes);
