using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Archiving;

/// <summary>
/// What a backup did. <see cref="NewBlobs"/> and <see cref="AddedBytes"/> count blobs the repository did not hold
/// before (plaintext bytes, before compression); <see cref="Skipped"/> lists devices, fifos and sockets left out;
/// <see cref="Errors"/> lists entries that could not be read and are missing from the snapshot.
/// <see cref="FilesUnchanged"/> files were taken from <see cref="Parent"/> without being read.
/// </summary>
internal sealed record BackupSummary(
    ObjectId SnapshotId,
    BlobId Tree,
    long Files,
    long Dirs,
    long BytesRead,
    long NewBlobs,
    long AddedBytes,
    IReadOnlyList<string> Skipped,
    IReadOnlyList<string> Errors)
{
    public long FilesUnchanged { get; init; }

    public long PacksUploaded { get; init; }

    public TimeSpan Duration { get; init; }

    public ObjectId? Parent { get; init; }

    /// <summary>The snapshot's time (when the run started).</summary>
    public DateTimeOffset Time { get; init; }
}
