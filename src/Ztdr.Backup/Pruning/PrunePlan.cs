using Ztdr.Backup.Crypto;
using Ztdr.Backup.Index;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Pruning;

/// <summary>The kinds of object prune may delete. Config, key and retention objects are never deleted.</summary>
public enum PruneObjectKind
{
    /// <summary>A pack holding no blob any unforgotten snapshot reaches (or one no index lists).</summary>
    Pack,

    /// <summary>An index object superseded by a newer one.</summary>
    Index,

    /// <summary>A snapshot a forgotten marker names.</summary>
    Snapshot,

    /// <summary>A forgotten marker all of whose snapshots are gone.</summary>
    Marker,
}

/// <summary>Why an object may go, in the order prune deletes them (see <see cref="Pruner"/>).</summary>
internal enum PruneReason
{
    ForgottenSnapshot,
    OrphanPack,
    SupersededIndex,
    UnusedPack,
    RepackedPack,
    ReplacedIndex,
    AppliedMarker,
}

/// <summary>An object prune would delete once storage lets it: its name, size and the retention storage reports.</summary>
internal sealed record PruneCandidate(PruneObjectKind Kind, PruneReason Reason, ObjectId Id, string Name, long Size, ObjectRetention? Retention)
{
    /// <summary>Whether the lock (if any) has ended at <paramref name="now"/>, so the maintenance key may delete it.</summary>
    public bool IsExpiredAt(DateTimeOffset now) => Retention is null || !Retention.IsActiveAt(now);
}

/// <summary>
/// What prune found and would do (<see cref="Pruner.PlanAsync(CancellationToken)"/>): the objects to delete now, those that must wait
/// for their lock, and what it keeps. Nothing is written or deleted while planning, so a plan is also the dry run.
/// </summary>
internal sealed record PrunePlan
{
    public required DateTimeOffset Time { get; init; }

    public required int KeptSnapshots { get; init; }

    public required int ForgottenSnapshots { get; init; }

    public required int ReachableBlobs { get; init; }

    public required int PacksInUse { get; init; }

    /// <summary>Packs holding both reachable and unreachable blobs.</summary>
    public required int PartlyUsedPacks { get; init; }

    /// <summary>Sealed bytes of unreachable blobs inside partly used packs: what repacking could free.</summary>
    public required long UnusedBytesInPartlyUsedPacks { get; init; }

    /// <summary>Partly used packs whose lock has ended: their needed blobs are copied to new packs, then they are deleted.</summary>
    internal required IReadOnlyList<IndexedPack> RepackPacks { get; init; }

    /// <summary>The blobs kept snapshots reach (trees included): what repacking copies.</summary>
    internal required IReadOnlySet<BlobId> Reachable { get; init; }

    /// <summary>Packs an index lists but storage does not hold: left out of a rewritten index.</summary>
    public required IReadOnlyList<ObjectId> MissingPacks { get; init; }

    /// <summary>Objects whose lock has ended: deleted by <see cref="Pruner.ExecuteAsync"/>, in this order.</summary>
    public required IReadOnlyList<PruneCandidate> Deletable { get; init; }

    /// <summary>Objects prune would delete but their lock has not ended; a later prune takes them.</summary>
    public required IReadOnlyList<PruneCandidate> Locked { get; init; }

    /// <summary>The packs the rewritten index lists (every indexed pack that stays), when the index must change.</summary>
    internal required IReadOnlyList<IndexedPack> SurvivingPacks { get; init; }

    /// <summary>Every index object this prune loaded or found superseded: all of them are superseded by its index.</summary>
    internal required IReadOnlyList<ObjectId> Supersedes { get; init; }

    /// <summary>The index entries of the packs this prune takes out of the index, to re-list one a delete leaves behind.</summary>
    internal required IReadOnlyDictionary<ObjectId, IndexedPack> DroppedPacks { get; init; }

    /// <summary>Each marker with the snapshot ids it names; applied once every one of them is gone.</summary>
    internal required IReadOnlyDictionary<ObjectId, IReadOnlyList<ObjectId>> Markers { get; init; }

    /// <summary>Whether the index must be rewritten: packs leave it (deleted now or missing from storage).</summary>
    public bool RewritesIndex => DroppedPacks.Count > 0 || MissingPacks.Count > 0;

    public int RepackCount => RepackPacks.Count;
}

/// <summary>What a prune did: objects and bytes deleted per kind, and what stays locked (until when).</summary>
internal sealed record PruneResult(
    IReadOnlyDictionary<PruneObjectKind, (int Count, long Bytes)> Deleted,
    IReadOnlyList<PruneCandidate> StillLocked,
    IReadOnlyList<ObjectId> NewIndexObjects,
    IReadOnlyList<IndexedPack> NewPacks)
{
    public int DeletedCount => Deleted.Values.Sum(d => d.Count);

    public long BytesFreed => Deleted.Values.Sum(d => d.Bytes);
}
