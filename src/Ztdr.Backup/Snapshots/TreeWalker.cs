using System.Runtime.CompilerServices;
using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Snapshots;

/// <summary>
/// Walks a snapshot's trees depth-first: every node with its path, a folder before its contents, in tree order. One
/// tree is in memory per level of the current path. What ls, verify, prune and copy build on.
/// </summary>
internal static class TreeWalker
{
    /// <summary>
    /// Yields every node under tree <paramref name="root"/>. Paths are relative to the root, '/'-joined display names
    /// (<see cref="TreeNode.DisplayName"/>). A tree that cannot be loaded or parsed is yielded once as an entry with
    /// <see cref="TreeEntry.Error"/> (its path is the folder's, "" for the root) and not descended into, so a caller
    /// can name what is affected and go on; a caller that wants to stop throws <see cref="TreeEntry.Error"/>.
    /// </summary>
    /// <param name="repository">Where the trees are loaded from (authenticated).</param>
    /// <param name="root">The root tree blob (a snapshot's <see cref="Snapshot.Tree"/>).</param>
    /// <param name="seenTrees">When given, a subtree already in the set is not descended into again and every
    /// descended tree is added: for callers that want each distinct tree once (reachability), not every path.</param>
    /// <param name="cancellationToken">Stops the walk.</param>
    public static async IAsyncEnumerable<TreeEntry> WalkAsync(
        Repository.Repository repository,
        BlobId root,
        HashSet<BlobId>? seenTrees = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (seenTrees is not null && !seenTrees.Add(root))
        {
            yield break;
        }

        await foreach (var entry in WalkTreeAsync(repository, root, "", seenTrees, cancellationToken))
        {
            yield return entry;
        }
    }

    private static async IAsyncEnumerable<TreeEntry> WalkTreeAsync(
        Repository.Repository repository, BlobId treeId, string path, HashSet<BlobId>? seenTrees, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Tree tree;
        Exception? failure = null;
        try
        {
            tree = await Tree.LoadAsync(repository, treeId, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            tree = new Tree([]);
            failure = ex;
        }

        if (failure is not null)
        {
            yield return new TreeEntry(path, null, treeId, failure);
            yield break;
        }

        foreach (var node in tree.Nodes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var childPath = path.Length == 0 ? node.DisplayName : path + "/" + node.DisplayName;
            yield return new TreeEntry(childPath, node, treeId, null);
            if (node is { Type: NodeType.Dir, Subtree: { } subtree } && (seenTrees is null || seenTrees.Add(subtree)))
            {
                await foreach (var entry in WalkTreeAsync(repository, subtree, childPath, seenTrees, cancellationToken))
                {
                    yield return entry;
                }
            }
        }
    }
}

/// <summary>
/// One step of a <see cref="TreeWalker"/> walk: a node at <paramref name="Path"/> found in tree <paramref name="Tree"/>,
/// or (<paramref name="Node"/> null) the tree <paramref name="Tree"/> of folder <paramref name="Path"/> that could not be
/// read, with the reason.
/// </summary>
internal sealed record TreeEntry(string Path, TreeNode? Node, BlobId Tree, Exception? Error);
