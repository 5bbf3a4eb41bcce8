using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Copying;

/// <summary>One copied snapshot: its id in the source and the id of its copy in the target.</summary>
internal sealed record CopiedSnapshot(ObjectId Source, ObjectId Target);

/// <summary>
/// What a copy run did: snapshots copied and skipped (the target already had them), blobs read from the source,
/// blobs and plaintext bytes newly stored in the target, and packs of an interrupted earlier run the target re-indexed.
/// </summary>
internal sealed record CopySummary(
    IReadOnlyList<CopiedSnapshot> Copied,
    IReadOnlyList<ObjectId> Skipped,
    long BlobsRead,
    long BlobsStored,
    long BytesStored,
    int PacksRecovered);

/// <summary>Where a copy run is: snapshots done of those to copy, blobs read from the source, blobs and bytes stored so far.</summary>
internal sealed record CopyProgress(int SnapshotsDone, int SnapshotsTotal, long BlobsRead, long BlobsStored, long BytesStored);

/// <summary>
/// What a copy would do (<c>--dry-run</c>): the snapshots it would copy and skip, and the distinct source blobs it
/// would read with their plaintext bytes. An upper bound: blobs the target already holds under other snapshots are
/// only found to be duplicates once read, since their target ids need the plaintext.
/// </summary>
internal sealed record CopyPlan(IReadOnlyList<ObjectId> ToCopy, IReadOnlyList<ObjectId> Skipped, long BlobsToRead, long BytesToRead);
