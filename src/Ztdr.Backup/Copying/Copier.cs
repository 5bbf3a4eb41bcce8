using Ztdr.Backup.Crypto;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Verifying;

namespace Ztdr.Backup.Copying;

/// <summary>
/// <c>ztdr copy</c>: copies snapshots from one repository to another that has its own password and master key (a
/// second resilience zone). Blob ids are keyed by each repository's chunk-id key (repository-format.md § 4), so the
/// same content has different ids in the two: data blobs are copied first (the target computes their ids), then every
/// tree is rewritten with the target's ids, children before parents, and the snapshot is written on the target with
/// the new root, locked per the TARGET's policy through <see cref="SnapshotCatalog.SaveAsync"/> (lock coverage on the
/// target first, never skipped). Each copy carries the tag <c>copy-of:&lt;source id&gt;</c>, which is how a later copy
/// knows what the target already has without a format change.
/// </summary>
/// <remarks>
/// The source is only read (a read-only key suffices). An interrupted copy resumes: the target indexes the packs the
/// interrupted run uploaded (<see cref="Repository.Repository.RecoverUnindexedPacksAsync"/>) and deduplicates against
/// them, so a blob is stored once however often the copy is retried.
/// </remarks>
internal sealed partial class Copier(
    Repository.Repository source,
    SnapshotCatalog sourceCatalog,
    IObjectStore targetStore,
    Repository.Repository target,
    SnapshotCatalog targetCatalog)
{
    /// <summary>The tag prefix that marks a target snapshot as the copy of a source snapshot.</summary>
    public const string CopyOfTagPrefix = "copy-of:";

    // Guards _mapped and the counters while data blobs are copied in parallel.
    private readonly Lock _gate = new();

    // Source blob id -> target blob id, for blobs (data and tree) this session already holds in the target.
    private readonly Dictionary<BlobId, BlobId> _mapped = [];
    // Source blob id -> target blob id learnt from copies earlier runs made (not yet referenced by this session).
    private readonly Dictionary<BlobId, BlobId> _earlier = [];

    // Target trees whose blobs this session has referenced, so each is walked once.
    private readonly HashSet<BlobId> _referencedTrees = [];
    private long _blobsStored;
    private long _bytesStored;
    private long _blobsRead;
    private IProgress<CopyProgress>? _progress;
    private int _snapshotsDone;
    private int _snapshotsTotal;

    /// <summary>The tag a copy of source snapshot <paramref name="sourceId"/> carries.</summary>
    public static string CopyOfTag(ObjectId sourceId) => CopyOfTagPrefix + sourceId;

    /// <summary>The source snapshot a copy was made from, by its <c>copy-of:</c> tag; null for an original.</summary>
    public static ObjectId? SourceOf(Snapshot snapshot)
    {
        foreach (var tag in snapshot.Tags)
        {
            if (tag.StartsWith(CopyOfTagPrefix, StringComparison.Ordinal) && ObjectId.TryParse(tag[CopyOfTagPrefix.Length..], out var sourceId))
            {
                return sourceId;
            }
        }

        return null;
    }

    /// <summary>
    /// Copies <paramref name="selection"/> (null: every source snapshot not forgotten), skipping those the target
    /// already holds a copy of (forgotten copies included: forgetting a copy must not bring it back).
    /// </summary>
    public async Task<CopySummary> CopyAsync(IReadOnlyList<(ObjectId Id, Snapshot Snapshot)>? selection, IProgress<CopyProgress>? progress, CancellationToken cancellationToken)
    {
        var recovery = await target.RecoverUnindexedPacksAsync(cancellationToken);
        var wanted = selection ?? await sourceCatalog.ListAsync(cancellationToken);
        var copiedAlready = await CopiedSourceIdsAsync(cancellationToken);

        await LearnEarlierCopiesAsync(copiedAlready, cancellationToken);

        var copied = new List<CopiedSnapshot>();
        var skipped = wanted.Where(w => copiedAlready.ContainsKey(w.Id)).Select(w => w.Id).ToList();
        _progress = progress;
        _snapshotsTotal = wanted.Count - skipped.Count;
        foreach (var (id, snapshot) in wanted)
        {
            if (copiedAlready.ContainsKey(id))
            {
                continue;
            }

            var root = await CopySnapshotTreeAsync(snapshot.Tree, cancellationToken);
            ObjectId? parent = snapshot.Parent is { } p && copiedAlready.TryGetValue(p, out var mappedParent) ? mappedParent : null;
            var copy = snapshot with
            {
                Tree = root,
                Parent = parent,
                Tags = [.. snapshot.Tags.Where(t => !t.StartsWith(CopyOfTagPrefix, StringComparison.Ordinal)), CopyOfTag(id)],
                RetainUntil = target.RunRetainUntil,
            };
            var targetId = await targetCatalog.SaveAsync(copy, cancellationToken);
            copiedAlready[id] = targetId;
            copied.Add(new CopiedSnapshot(id, targetId));
            _snapshotsDone = copied.Count;
            Report();
        }

        return new CopySummary(copied, skipped, _blobsRead, _blobsStored, _bytesStored, recovery.RecoveredPacks.Count);
    }

    /// <summary>
    /// Verifies the target after a copy: structure and lock coverage as storage reports it (no data read). A copy is
    /// only as good as the target's ability to restore it, so the CLI fails a copy whose target does not pass.
    /// </summary>
    public Task<VerifyReport> VerifyTargetAsync(CancellationToken cancellationToken) =>
        new Verifier(targetStore, target, targetCatalog).VerifyAsync(new VerifyOptions(), cancellationToken);

    /// <summary>Source snapshot id -> its copy in the target, from the target's <c>copy-of:</c> tags.</summary>
    private async Task<Dictionary<ObjectId, ObjectId>> CopiedSourceIdsAsync(CancellationToken cancellationToken)
    {
        var copies = new Dictionary<ObjectId, ObjectId>();
        foreach (var (id, snapshot) in await targetCatalog.ListAsync(includeForgotten: true, cancellationToken))
        {
            if (SourceOf(snapshot) is { } sourceId)
            {
                copies[sourceId] = id;
            }
        }

        return copies;
    }

    /// <summary>
    /// Learns source id -> target id for every blob of the snapshots earlier runs copied, by walking each source tree
    /// and its copy side by side (a copy has the same nodes in the same order, only the ids differ). Only trees are
    /// loaded, from both sides; without this a new snapshot would download every blob from the source again just to
    /// learn its target id, though the target deduplicates it. A pair that does not line up is ignored (the blobs are
    /// then copied, and deduplicated, the slow way), as is a source snapshot that no longer exists.
    /// </summary>
    private async Task LearnEarlierCopiesAsync(Dictionary<ObjectId, ObjectId> copies, CancellationToken cancellationToken)
    {
        var sourceSnapshots = (await sourceCatalog.ListAsync(includeForgotten: true, cancellationToken)).ToDictionary(s => s.Id, s => s.Snapshot);
        foreach (var (sourceId, targetId) in copies)
        {
            if (sourceSnapshots.TryGetValue(sourceId, out var sourceSnapshot))
            {
                var targetSnapshot = await targetCatalog.LoadAsync(targetId, cancellationToken);
                await LearnTreeAsync(sourceSnapshot.Tree, targetSnapshot.Tree, cancellationToken);
            }
        }
    }

    private async Task LearnTreeAsync(BlobId sourceTree, BlobId targetTree, CancellationToken cancellationToken)
    {
        if (_earlier.ContainsKey(sourceTree))
        {
            return;
        }

        var sourceNodes = (await Tree.LoadAsync(source, sourceTree, cancellationToken)).Nodes;
        var targetNodes = (await Tree.LoadAsync(target, targetTree, cancellationToken)).Nodes;
        if (sourceNodes.Count != targetNodes.Count)
        {
            return;
        }

        var pairs = new List<(BlobId Source, BlobId Target)>();
        var subtrees = new List<(BlobId Source, BlobId Target)>();
        for (var i = 0; i < sourceNodes.Count; i++)
        {
            var (s, t) = (sourceNodes[i], targetNodes[i]);
            if (!s.NameBytes.AsSpan().SequenceEqual(t.NameBytes) || s.Type != t.Type || (s.Content?.Count ?? 0) != (t.Content?.Count ?? 0) || s.Subtree.HasValue != t.Subtree.HasValue)
            {
                return;
            }

            for (var j = 0; j < (s.Content?.Count ?? 0); j++)
            {
                pairs.Add((s.Content![j], t.Content![j]));
            }

            if (s.Subtree is { } sourceSubtree && t.Subtree is { } targetSubtree)
            {
                subtrees.Add((sourceSubtree, targetSubtree));
            }
        }

        foreach (var (s, t) in pairs)
        {
            _earlier[s] = t;
        }

        _earlier[sourceTree] = targetTree;
        foreach (var (s, t) in subtrees)
        {
            await LearnTreeAsync(s, t, cancellationToken);
        }
    }

    /// <summary>
    /// Makes this session reference every blob under target tree <paramref name="targetTree"/> (so lock coverage
    /// extends their packs to the new snapshot's retain-until); false when one is missing from the target's index (a
    /// prune removed it), and the tree must then be copied again.
    /// </summary>
    private async Task<bool> ReferenceTargetTreeAsync(BlobId targetTree, CancellationToken cancellationToken)
    {
        if (_referencedTrees.Contains(targetTree))
        {
            return true;
        }

        var trees = new List<BlobId> { targetTree };
        var content = new List<BlobId>();
        var walked = new HashSet<BlobId>(_referencedTrees);
        await foreach (var entry in TreeWalker.WalkAsync(target, targetTree, walked, cancellationToken))
        {
            if (entry.Error is not null)
            {
                return false;
            }

            if (entry.Node is { Content: { } blobs })
            {
                content.AddRange(blobs);
            }

            if (entry.Node is { Subtree: { } subtree })
            {
                trees.Add(subtree);
            }
        }

        if (!target.ReferenceBlobs(trees.Concat(content)))
        {
            return false;
        }

        _referencedTrees.UnionWith(walked);
        return true;
    }

    /// <summary>Stores one source blob into the target; called for several blobs at once (the mapping is under <c>_gate</c>).</summary>
    private async Task StoreBlobAsync(BlobType type, BlobId sourceId, Packing.OpenedBlob blob, CancellationToken cancellationToken)
    {
        // Authenticated on load: a blob the source's storage altered is never written to the target. With the same
        // compression setting on both sides the source's compression unit is sealed as it is: compressing again
        // was a quarter of the copy's CPU, and would give the same bytes.
        Interlocked.Increment(ref _blobsRead);
        var (id, stored) = source.Config.CompressionLevel == target.Config.CompressionLevel
            ? await target.StoreCompressedBlobAsync(type, blob.Raw, blob.Unit, cancellationToken)
            : await target.StoreBlobAsync(type, blob.Raw, cancellationToken);
        Map(sourceId, id);
        Count(stored, blob.Raw.Length);
    }

    private bool IsMapped(BlobId sourceId)
    {
        lock (_gate)
        {
            return _mapped.ContainsKey(sourceId);
        }
    }

    private bool TryMapped(BlobId sourceId, out BlobId targetId)
    {
        lock (_gate)
        {
            return _mapped.TryGetValue(sourceId, out targetId);
        }
    }

    private BlobId Mapped(BlobId sourceId)
    {
        lock (_gate)
        {
            return _mapped[sourceId];
        }
    }

    private void Map(BlobId sourceId, BlobId targetId)
    {
        lock (_gate)
        {
            _mapped[sourceId] = targetId;
        }
    }

    private void Count(bool stored, long bytes)
    {
        lock (_gate)
        {
            if (stored)
            {
                _blobsStored++;
                _bytesStored += bytes;
            }

            Report();
        }
    }

    /// <summary>Callers hold <c>_gate</c> or run alone, so progress reports never overlap and never go backwards.</summary>
    private void Report() => _progress?.Report(new CopyProgress(_snapshotsDone, _snapshotsTotal, Interlocked.Read(ref _blobsRead), _blobsStored, _bytesStored));
}
