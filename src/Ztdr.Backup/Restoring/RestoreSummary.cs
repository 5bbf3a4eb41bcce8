namespace Ztdr.Backup.Restoring;

/// <summary>What a restore wrote. <see cref="Files"/> counts each file once; its further names are <see cref="HardLinks"/>.</summary>
internal sealed record RestoreSummary(long Files, long Dirs, long Symlinks, long HardLinks, long Bytes);
