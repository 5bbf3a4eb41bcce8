namespace Ztdr.Backup.Archiving;

/// <summary>
/// Running totals of a backup, for a progress display; <see cref="CurrentPath"/> is the entry just finished.
/// <see cref="TotalFiles"/> and <see cref="TotalBytes"/> come from a concurrent pre-scan and are null until it finishes
/// (no ETA before then). <see cref="BytesDone"/> counts read bytes and the sizes of unchanged files, the measure an ETA
/// compares with <see cref="TotalBytes"/>.
/// </summary>
internal sealed record BackupProgress(long Files, long Dirs, long BytesRead, long AddedBytes, string CurrentPath)
{
    public long FilesUnchanged { get; init; }

    public long BytesDone { get; init; }

    public long? TotalFiles { get; init; }

    public long? TotalBytes { get; init; }
}
