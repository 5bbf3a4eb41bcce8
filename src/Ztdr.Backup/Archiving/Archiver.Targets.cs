using System.Text;
using System.Threading.Channels;
using Ztdr.Backup.FileSystem;
using Ztdr.Backup.Snapshots;

namespace Ztdr.Backup.Archiving;

/// <summary>
/// The part of the walk above the backed-up paths (snapshot format 2): the root tree, and the folders from "/" down
/// to each target, each with its real folder's metadata and only the children that lead to a target.
/// </summary>
internal sealed partial class Archiver
{
    // The root tree: the contents of "/" when it is backed up, else a tree of the folders down to each target.
    private async Task<Task<TreeNode?>> VisitRootAsync(
        TargetNode root, ParentTree? parent, Dictionary<TargetNode, Task<TreeNode?>> visited, BackupRun run, ChannelWriter<FileJob> files, CancellationToken cancellationToken)
    {
        var previousChildren = parent is null ? null : await parent.ChildrenAsync(null, cancellationToken);
        if (root.IsTarget)
        {
            var task = await VisitDirectoryAsync("/"u8.ToArray(), "/", TreeNode.Named("/"u8, NodeType.Dir), previousChildren, run, files, cancellationToken);
            visited[root] = task;
            return task;
        }

        return await VisitPrefixChildrenAsync(root, TreeNode.Named("/"u8, NodeType.Dir), previousChildren, parent, visited, run, files, cancellationToken);
    }

    // A target, or a folder above targets: the real folder's metadata (stat), and only the children that lead to a target.
    private async Task<Task<TreeNode?>> VisitTargetAsync(
        TargetNode target, TreeNode? previous, ParentTree? parent, Dictionary<TargetNode, Task<TreeNode?>> visited, BackupRun run, ChannelWriter<FileJob> files, CancellationToken cancellationToken)
    {
        var path = PosixReader.PathBytes(target.FullPath);
        var name = Encoding.UTF8.GetBytes(target.Name);
        if (target.IsTarget)
        {
            var task = await VisitAsync(path, name, target.FullPath, previous, run, files, cancellationToken);
            visited[target] = task;
            return task;
        }

        FileMetadata metadata;
        try
        {
            // Followed: a folder reached through a symlink (say /var/run) is stored as the folder it leads to.
            metadata = PosixReader.Stat(path, followSymlink: true);
        }
        catch (IOException ex)
        {
            // Every target below fails with it; the error names the folder that could not be read.
            run.Error(target.FullPath, ex);
            MarkFailed(target, visited);
            return Task.FromResult<TreeNode?>(null);
        }

        var previousChildren = parent is null ? null : await parent.ChildrenAsync(previous, cancellationToken);
        return await VisitPrefixChildrenAsync(target, NodeOf(name, NodeType.Dir, metadata), previousChildren, parent, visited, run, files, cancellationToken);
    }

    private async Task<Task<TreeNode?>> VisitPrefixChildrenAsync(
        TargetNode prefix,
        TreeNode node,
        Dictionary<string, TreeNode>? previousChildren,
        ParentTree? parent,
        Dictionary<TargetNode, Task<TreeNode?>> visited,
        BackupRun run,
        ChannelWriter<FileJob> files,
        CancellationToken cancellationToken)
    {
        var children = new List<Task<TreeNode?>>();
        foreach (var child in prefix.Children)
        {
            children.Add(await VisitTargetAsync(child, parent?.NodeOf(child, previousChildren), parent, visited, run, files, cancellationToken));
        }

        return CompletePrefixAsync(node, children, run, cancellationToken);
    }

    // A prefix folder is not counted as backed up (only the targets and what is under them are); its tree is saved
    // once every child is done, and it fails when one of them does (the run then reports the target).
    private async Task<TreeNode?> CompletePrefixAsync(TreeNode node, List<Task<TreeNode?>> children, BackupRun run, CancellationToken cancellationToken)
    {
        var nodes = await Task.WhenAll(children);
        if (nodes.Any(n => n is null))
        {
            return null;
        }

        return node with { Subtree = await SaveTreeAsync(new Tree(nodes!), run, cancellationToken) };
    }

    private static void MarkFailed(TargetNode prefix, Dictionary<TargetNode, Task<TreeNode?>> visited)
    {
        foreach (var child in prefix.Children)
        {
            if (child.IsTarget)
            {
                visited[child] = Task.FromResult<TreeNode?>(null);
            }
            else
            {
                MarkFailed(child, visited);
            }
        }
    }
}
