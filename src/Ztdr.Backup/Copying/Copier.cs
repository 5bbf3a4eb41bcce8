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
internal sealed class Copier(
    Repository.Repository source,
    SnapshotCatalog sourceCatalog,
    IObjectStore targetStore,
    Repository.Repository target,
    SnapshotCatalog targetCatalog)
{
    /// <summary>The tag prefix that marks a target snapshot as the copy of a source snapshot.</summary>
    public const string CopyOfTagPrefix = "copy-of:";

    // Source blob id -> target blob id, for blobs (data and tree) this session already holds in the target.
    private readonly Dictionary<BlobId, BlobId> _mapped = [];
    private long _blobsStored;
    private long _bytesStored;
    private long _blobsRead;

    /// <summary>The tag a copy of source snapshot <paramref name="sourceId"/> carries.</summary>
    public static string CopyOfTag(ObjectId sourceId) => CopyOfTagPrefix + sourceId;

    /// <summary>
    /// Copies <paramref name="selection"/> (null: every source snapshot not forgotten), skipping those the target
    /// already holds a copy of (forgotten copies included: forgetting a copy must not bring it back).
    /// </summary>
    public async Task<CopySummary> CopyAsync(IReadOnlyList<(ObjectId Id, Snapshot Snapshot)>? selection, IProgress<CopyProgress>? progress, CancellationToken cancellationToken)
    {
        var recovery = await target.RecoverUnindexedPacksAsync(cancellationToken);
        var wanted = selection ?? await sourceCatalog.ListAsync(cancellationToken);
        var copiedAlready = await CopiedSourceIdsAsync(cancellationToken);

        var copied = new List<CopiedSnapshot>();
        var skipped = new List<ObjectId>();
        foreach (var (id, snapshot) in wanted)
        {
            if (copiedAlready.ContainsKey(id))
            {
                skipped.Add(id);
                continue;
            }

            var root = await CopyTreeAsync(snapshot.Tree, cancellationToken);
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
            progress?.Report(new CopyProgress(copied.Count, wanted.Count - skipped.Count, _blobsStored, _bytesStored));
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
            foreach (var tag in snapshot.Tags)
            {
                if (tag.StartsWith(CopyOfTagPrefix, StringComparison.Ordinal) && ObjectId.TryParse(tag[CopyOfTagPrefix.Length..], out var sourceId))
                {
                    copies[sourceId] = id;
                }
            }
        }

        return copies;
    }

    /// <summary>Copies one source tree and everything under it; returns the tree's id in the target.</summary>
    private async Task<BlobId> CopyTreeAsync(BlobId sourceTree, CancellationToken cancellationToken)
    {
        if (_mapped.TryGetValue(sourceTree, out var known))
        {
            return known;
        }

        var tree = await Tree.LoadAsync(source, sourceTree, cancellationToken);
        _blobsRead++;
        var nodes = new List<TreeNode>(tree.Nodes.Count);
        foreach (var node in tree.Nodes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var copy = node;
            if (node.Content is { Count: > 0 } content)
            {
                var mapped = new BlobId[content.Count];
                for (var i = 0; i < content.Count; i++)
                {
                    mapped[i] = await CopyBlobAsync(BlobType.Data, content[i], cancellationToken);
                }

                copy = copy with { Content = mapped };
            }

            if (node.Subtree is { } subtree)
            {
                copy = copy with { Subtree = await CopyTreeAsync(subtree, cancellationToken) };
            }

            nodes.Add(copy);
        }

        var bytes = new Tree(nodes).Serialize();
        var (id, stored) = await target.StoreBlobAsync(BlobType.Tree, bytes, cancellationToken);
        Count(stored, bytes.Length);
        _mapped[sourceTree] = id;
        return id;
    }

    private async Task<BlobId> CopyBlobAsync(BlobType type, BlobId sourceId, CancellationToken cancellationToken)
    {
        if (_mapped.TryGetValue(sourceId, out var known))
        {
            return known;
        }

        // Authenticated on load: a blob the source's storage altered is never written to the target.
        var plaintext = await source.LoadBlobAsync(sourceId, cancellationToken);
        _blobsRead++;
        var (id, stored) = await target.StoreBlobAsync(type, plaintext, cancellationToken);
        Count(stored, plaintext.Length);
        _mapped[sourceId] = id;
        return id;
    }

    private void Count(bool stored, long bytes)
    {
        if (stored)
        {
            _blobsStored++;
            _bytesStored += bytes;
        }
    }
}

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

/// <summary>Where a copy run is: snapshots done of those to copy, blobs and bytes stored so far.</summary>
internal sealed record CopyProgress(int SnapshotsDone, int SnapshotsTotal, long BlobsStored, long BytesStored);
