using Ztdr.Backup.Crypto;
using Ztdr.Backup.Snapshots;

namespace Ztdr.Backup.Copying;

/// <content>
/// Copying one snapshot's tree in three passes. First its source trees are walked and every data blob the target does
/// not hold yet is collected, passing over folders an earlier run copied; then those blobs are read all together, so
/// <see cref="Repository.Repository.ForEachBlobUnitAsync"/> plans its windows over the whole snapshot: neighbours in a
/// source pack are read in one ranged request whatever folders they belong to; last the trees are rewritten with the
/// target's ids, children before parents. Windows planned folder by folder cost at least one request per folder: the
/// vault spent 7.9 s CPU copying 15,557 small files in 1,270 folders, where restic spent 4.6 s.
/// </content>
internal sealed partial class Copier
{
    /// <summary>
    /// Source windows read at once. Each is a thread of CPU work while its blobs are opened and stored (hashed and
    /// sealed for the target), so one per core keeps the cores busy; more added memory, not speed: every extra caller
    /// can hold a full target pack waiting for an upload slot (eight took a 128 MiB copy from 180 to 235 MiB peak).
    /// </summary>
    private static readonly int WindowsInFlight = Math.Clamp(Environment.ProcessorCount, 2, 8);

    /// <summary>
    /// Data blob ids collected before they are read: a snapshot of millions of files is read in a few rounds of this
    /// many, each still planned across all its folders, so the ids and their locations stay within some 100 MiB.
    /// </summary>
    private const int PendingBlobsLimit = 1 << 20;

    /// <summary>
    /// Tree JSON bytes the walk keeps parsed for the rewrite. Trees past it are loaded a second time: from the local
    /// tree cache without a request (the CLI's default), with one ranged GET each under <c>--no-cache</c>.
    /// </summary>
    private const long KeptTreeBytes = 32L * 1024 * 1024;

    // Source trees the walk loaded, for the rewrite; emptied after each snapshot.
    private readonly Dictionary<BlobId, Tree> _keptTrees = [];
    private long _keptTreeBytes;

    /// <summary>Copies snapshot tree <paramref name="root"/> and everything under it; returns the root's id in the target.</summary>
    private async Task<BlobId> CopySnapshotTreeAsync(BlobId root, CancellationToken cancellationToken)
    {
        try
        {
            await CopyDataAsync(root, cancellationToken);
            return await CopyTreeAsync(root, cancellationToken);
        }
        finally
        {
            _keptTrees.Clear();
            _keptTreeBytes = 0;
        }
    }

    /// <summary>The first two passes: walks the trees under <paramref name="root"/> and copies the data blobs they name.</summary>
    private async Task CopyDataAsync(BlobId root, CancellationToken cancellationToken)
    {
        var pending = new HashSet<BlobId>();
        var walked = new HashSet<BlobId>();
        var trees = new Stack<BlobId>([root]);
        while (trees.TryPop(out var treeId))
        {
            if (!walked.Add(treeId) || IsMapped(treeId) || await MappedToEarlierTreeAsync(treeId, cancellationToken))
            {
                continue;
            }

            foreach (var node in (await WalkTreeAsync(treeId, cancellationToken)).Nodes)
            {
                foreach (var blob in node.Content ?? [])
                {
                    if (!pending.Contains(blob) && !IsMapped(blob) && !MappedToEarlier(blob))
                    {
                        pending.Add(blob);
                    }
                }

                if (node.Subtree is { } subtree)
                {
                    trees.Push(subtree);
                }
            }

            if (pending.Count >= PendingBlobsLimit)
            {
                await CopyBlobsAsync(pending, cancellationToken);
                pending.Clear();
            }
        }

        await CopyBlobsAsync(pending, cancellationToken);
    }

    // Several windows at once; the repository is thread-safe and bounds its own uploads. One ranged GET per blob cost
    // the vault three times restic's CPU on a tree of small files.
    private Task CopyBlobsAsync(IReadOnlyCollection<BlobId> blobs, CancellationToken cancellationToken) =>
        source.ForEachBlobUnitAsync(blobs, WindowsInFlight, (blob, unit, token) => StoreBlobAsync(BlobType.Data, blob, unit, token), cancellationToken);

    /// <summary>
    /// The last pass: rewrites source tree <paramref name="sourceTree"/> and those under it with the target's ids and
    /// stores them; returns the tree's id in the target. Every data blob under it is mapped by then.
    /// </summary>
    private async Task<BlobId> CopyTreeAsync(BlobId sourceTree, CancellationToken cancellationToken)
    {
        if (TryMapped(sourceTree, out var known))
        {
            return known;
        }

        var tree = _keptTrees.Remove(sourceTree, out var kept) ? kept : await Tree.LoadAsync(source, sourceTree, cancellationToken);
        var nodes = new List<TreeNode>(tree.Nodes.Count);
        foreach (var node in tree.Nodes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var copy = node;
            if (node.Content is { Count: > 0 } content)
            {
                copy = copy with { Content = [.. content.Select(Mapped)] };
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
        Map(sourceTree, id);
        return id;
    }

    // Loads a source tree for the walk (counted as read once, however often it is loaded), keeping it within the budget.
    private async Task<Tree> WalkTreeAsync(BlobId treeId, CancellationToken cancellationToken)
    {
        var json = await source.LoadBlobAsync(treeId, cancellationToken);
        Interlocked.Increment(ref _blobsRead);
        var tree = Tree.Parse(json);
        if (_keptTreeBytes + json.Length <= KeptTreeBytes)
        {
            _keptTrees[treeId] = tree;
            _keptTreeBytes += json.Length;
        }

        return tree;
    }

    // A folder an earlier run copied: its copy is already in the target, nothing under it is read from the source.
    private async Task<bool> MappedToEarlierTreeAsync(BlobId sourceTree, CancellationToken cancellationToken)
    {
        if (_earlier.TryGetValue(sourceTree, out var earlier) && await ReferenceTargetTreeAsync(earlier, cancellationToken))
        {
            Map(sourceTree, earlier);
            return true;
        }

        return false;
    }

    // A blob an earlier run copied and the target still holds: mapped without reading the source.
    private bool MappedToEarlier(BlobId sourceId)
    {
        if (_earlier.TryGetValue(sourceId, out var earlier) && target.ReferenceBlobs([earlier]))
        {
            Map(sourceId, earlier);
            return true;
        }

        return false;
    }
}
