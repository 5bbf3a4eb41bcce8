using Ztdr.Backup.Crypto;
using Ztdr.Backup.Index;
using Ztdr.Backup.Snapshots;

namespace Ztdr.Backup.Verifying;

/// <summary>A snapshot verify could read, with its id.</summary>
internal sealed record LoadedSnapshot(ObjectId Id, Snapshot Snapshot);

/// <summary>
/// What the snapshots reference, from one walk that loads every distinct tree once: which packs each tree's blobs
/// live in, which trees contain each tree, and the latest retain-until each pack must serve. Per-tree pack sets and
/// parent edges (not a blob → file map) keep memory proportional to trees, not blobs; when something is damaged the
/// <see cref="AffectedLocator"/> walks only the trees leading to it to name files.
/// </summary>
/// <remarks>
/// Snapshots are walked latest retain-until first with one shared set of seen trees, so the first snapshot to reach a
/// tree is the one that needs it longest: a pack's requirement is then known without walking a tree twice.
/// </remarks>
internal sealed class ReferenceGraph
{
    private readonly BlobIndex _index;
    private readonly Dictionary<BlobId, HashSet<ObjectId>> _packsOfTree = [];
    private readonly Dictionary<BlobId, List<BlobId>> _parentsOf = [];
    private readonly Dictionary<ObjectId, DateTimeOffset> _packRequirement = [];
    private readonly HashSet<BlobId> _directlyDamaged = [];
    private readonly HashSet<BlobId> _walked = [];

    private ReferenceGraph(BlobIndex index)
    {
        _index = index;
    }

    /// <summary>Every tree the walk loaded or tried to load.</summary>
    public IReadOnlySet<BlobId> Trees => _walked;

    /// <summary>Packs holding referenced blobs, each with the latest retain-until of a snapshot reaching it.</summary>
    public IReadOnlyDictionary<ObjectId, DateTimeOffset> PackRequirement => _packRequirement;

    /// <summary>Trees that hold a blob no index lists, or that could not be read.</summary>
    public IReadOnlySet<BlobId> DirectlyDamaged => _directlyDamaged;

    public IReadOnlyDictionary<BlobId, HashSet<ObjectId>> PacksOfTree => _packsOfTree;

    public IReadOnlyDictionary<BlobId, List<BlobId>> ParentsOf => _parentsOf;

    /// <summary>Walks every snapshot; blobs no index lists and trees that cannot be read go to <paramref name="findings"/>.</summary>
    public static async Task<ReferenceGraph> BuildAsync(
        Repository.Repository repository, IReadOnlyList<LoadedSnapshot> snapshots, FindingSet findings, Action<long> treeWalked, CancellationToken cancellationToken)
    {
        var graph = new ReferenceGraph(repository.Index);
        var reported = 0;
        foreach (var snapshot in snapshots.OrderByDescending(s => s.Snapshot.RetainUntil))
        {
            var requirement = snapshot.Snapshot.RetainUntil;
            graph.RequirePack(snapshot.Snapshot.Tree, requirement);
            await foreach (var entry in TreeWalker.WalkAsync(repository, snapshot.Snapshot.Tree, graph._walked, cancellationToken))
            {
                if (entry.Error is { } error)
                {
                    graph._directlyDamaged.Add(entry.Tree);
                    graph.ReportUnreadableTree(entry.Tree, error, findings);
                    continue;
                }

                var node = entry.Node!;
                if (node is { Type: NodeType.Dir, Subtree: { } subtree })
                {
                    if (!graph._parentsOf.TryGetValue(subtree, out var parents))
                    {
                        parents = [];
                        graph._parentsOf[subtree] = parents;
                    }

                    parents.Add(entry.Tree);

                    // A subtree no index lists is reported by the walk itself, as a tree it cannot load.
                    graph.Reference(entry.Tree, subtree, requirement);
                }
                else if (node.Content is { } content)
                {
                    foreach (var blob in content)
                    {
                        if (!graph.Reference(entry.Tree, blob, requirement))
                        {
                            graph._directlyDamaged.Add(entry.Tree);
                            findings.ForBlob(blob, FindingKind.BlobNotIndexed, $"blob {blob}", "data blob listed in no index: restore cannot find it");
                        }
                    }
                }

                if (graph._walked.Count != reported)
                {
                    reported = graph._walked.Count;
                    treeWalked(reported);
                }
            }
        }

        return graph;
    }

    private void ReportUnreadableTree(BlobId tree, Exception error, FindingSet findings)
    {
        if (_index.Has(tree))
        {
            findings.ForBlob(tree, FindingKind.TreeUnreadable, $"tree {tree}", $"cannot be read, so the folder's contents were not checked: {error.Message}");
        }
        else
        {
            findings.ForBlob(tree, FindingKind.BlobNotIndexed, $"tree {tree}", "tree blob listed in no index: the folder's contents cannot be restored or checked");
        }
    }

    /// <summary>Records that <paramref name="tree"/> references <paramref name="blob"/>; false when no index lists the blob.</summary>
    private bool Reference(BlobId tree, BlobId blob, DateTimeOffset requirement)
    {
        if (!_index.TryGet(blob, out var location))
        {
            return false;
        }

        if (!_packsOfTree.TryGetValue(tree, out var packs))
        {
            packs = [];
            _packsOfTree[tree] = packs;
        }

        packs.Add(location.PackId);
        Require(location.PackId, requirement);
        return true;
    }

    private void RequirePack(BlobId blob, DateTimeOffset requirement)
    {
        if (_index.TryGet(blob, out var location))
        {
            Require(location.PackId, requirement);
        }
    }

    private void Require(ObjectId pack, DateTimeOffset requirement)
    {
        if (!_packRequirement.TryGetValue(pack, out var known) || known < requirement)
        {
            _packRequirement[pack] = requirement;
        }
    }
}
