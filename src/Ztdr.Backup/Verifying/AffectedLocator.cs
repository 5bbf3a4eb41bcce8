using Ztdr.Backup.Crypto;
using Ztdr.Backup.Index;
using Ztdr.Backup.Snapshots;

namespace Ztdr.Backup.Verifying;

/// <summary>
/// Names the snapshots and paths each blob or pack finding breaks. Only trees that lead to a damaged tree or to a
/// suspect pack are walked again, per snapshot, with every other tree pre-marked as seen so the walker skips it: an
/// intact repository costs nothing here, and a damaged one costs the paths to the damage.
/// </summary>
/// <remarks>
/// Within one snapshot a damaged tree is descended once: when the same folder content appears at two paths, the
/// files under the second path are not listed again (the snapshot is named either way).
/// </remarks>
internal static class AffectedLocator
{
    public static async Task LocateAsync(
        Repository.Repository repository, IReadOnlyList<LoadedSnapshot> snapshots, ReferenceGraph graph, FindingSet findings, CancellationToken cancellationToken)
    {
        if (!findings.HasBlobOrPackFaults)
        {
            return;
        }

        var dirty = DirtyTrees(graph, findings.SuspectPacks);
        // Clean trees are pre-marked as seen, so the walker never loads them. The dirty trees one snapshot's walk adds
        // are taken out again afterwards, so the next snapshot descends into them too: O(dirty) per snapshot, not O(trees).
        var seen = graph.Trees.Where(t => !dirty.Contains(t)).ToHashSet();
        var index = repository.Index;
        foreach (var snapshot in snapshots)
        {
            var root = snapshot.Snapshot.Tree;
            Attribute(index, findings, snapshot, "/", [root]);
            if (!dirty.Contains(root))
            {
                continue;
            }

            await foreach (var entry in TreeWalker.WalkAsync(repository, root, seen, cancellationToken))
            {
                var path = "/" + entry.Path;
                if (entry.Error is not null)
                {
                    if (findings.TryGetBlobFinding(entry.Tree, out var finding))
                    {
                        finding.AddPath(snapshot.Id, path);
                    }

                    continue;
                }

                var node = entry.Node!;
                if (node is { Type: NodeType.Dir, Subtree: { } subtree })
                {
                    Attribute(index, findings, snapshot, path, [subtree]);
                }
                else if (node.Content is { Count: > 0 } content)
                {
                    Attribute(index, findings, snapshot, path, content);
                }
            }

            seen.ExceptWith(dirty);
        }
    }

    /// <summary>Trees that reference a suspect pack or are damaged themselves, and every tree containing one of those.</summary>
    private static HashSet<BlobId> DirtyTrees(ReferenceGraph graph, IReadOnlySet<ObjectId> suspectPacks)
    {
        var dirty = new HashSet<BlobId>(graph.DirectlyDamaged);
        foreach (var (tree, packs) in graph.PacksOfTree)
        {
            if (packs.Overlaps(suspectPacks))
            {
                dirty.Add(tree);
            }
        }

        var pending = new Queue<BlobId>(dirty);
        while (pending.TryDequeue(out var tree))
        {
            if (graph.ParentsOf.TryGetValue(tree, out var parents))
            {
                foreach (var parent in parents)
                {
                    if (dirty.Add(parent))
                    {
                        pending.Enqueue(parent);
                    }
                }
            }
        }

        return dirty;
    }

    /// <summary>Adds <paramref name="path"/> once to every finding that one of <paramref name="blobs"/> falls under for this snapshot.</summary>
    private static void Attribute(BlobIndex index, FindingSet findings, LoadedSnapshot snapshot, string path, IReadOnlyList<BlobId> blobs)
    {
        HashSet<FindingBuilder>? hit = null;
        foreach (var blob in blobs)
        {
            if (findings.TryGetBlobFinding(blob, out var blobFinding))
            {
                (hit ??= []).Add(blobFinding);
            }

            if (index.TryGet(blob, out var location))
            {
                foreach (var fault in findings.PackFaults(location.PackId))
                {
                    if (fault.Affects(snapshot.Snapshot.RetainUntil))
                    {
                        (hit ??= []).Add(fault.Finding);
                    }
                }
            }
        }

        foreach (var finding in hit ?? [])
        {
            finding.AddPath(snapshot.Id, path);
        }
    }
}
