using Ztdr.Backup.Crypto;
using Ztdr.Backup.Snapshots;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Archiving;

/// <summary>
/// The trees of a format 2 snapshot along one backed-up path. The folders above the path carry the real folders'
/// metadata, which other processes change (parallel tests add entries to /tmp all the time), so a test comparing two
/// backups compares the path's own subtree and counts the trees above it that changed, rather than the root ids.
/// </summary>
internal static class PathTrees
{
    /// <summary>The trees above <paramref name="backedUp"/>, root first (one per component), and its own subtree.</summary>
    public static async Task<(IReadOnlyList<BlobId> Above, BlobId Own)> AlongAsync(Repo repository, BlobId root, string backedUp)
    {
        var above = new List<BlobId>();
        var tree = root;
        foreach (var component in Path.GetFullPath(backedUp).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            above.Add(tree);
            tree = (await Tree.LoadAsync(repository, tree, CancellationToken.None)).Nodes.Single(n => n.Name == component).Subtree!.Value;
        }

        return (above, tree);
    }

    /// <summary>The trees above <paramref name="backedUp"/> in <paramref name="later"/> that <paramref name="earlier"/> does not have.</summary>
    public static async Task<int> NewAboveAsync(Repo repository, BlobId earlier, BlobId later, string backedUp)
    {
        var before = await AlongAsync(repository, earlier, backedUp);
        var after = await AlongAsync(repository, later, backedUp);
        return after.Above.Except(before.Above).Count();
    }
}
