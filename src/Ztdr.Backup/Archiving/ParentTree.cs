using System.Text;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Snapshots;

namespace Ztdr.Backup.Archiving;

/// <summary>
/// The parent snapshot's nodes, found by path, so the walker can tell unchanged files without reading them. A format 2
/// parent mirrors absolute paths from its root tree, so it is walked component by component alongside
/// <see cref="BackupTargets"/>. A format 1 parent named each backed-up path by its last component in the root tree;
/// its nodes are matched only through the absolute paths it records (unique last components, one node each), so a
/// node is never taken for another path's.
/// </summary>
internal sealed class ParentTree
{
    private readonly Repository.Repository _repository;
    private readonly Dictionary<string, TreeNode>? _root;
    private readonly Dictionary<string, TreeNode> _byPath;

    private ParentTree(Repository.Repository repository, Dictionary<string, TreeNode>? root, Dictionary<string, TreeNode> byPath)
    {
        _repository = repository;
        _root = root;
        _byPath = byPath;
    }

    /// <summary>The parent's nodes; a parent whose root tree cannot be read gives none (nothing is reused).</summary>
    public static async Task<ParentTree> LoadAsync(Repository.Repository repository, Snapshot parent, CancellationToken cancellationToken)
    {
        var root = await LoadChildrenAsync(repository, parent.Tree, cancellationToken);
        if (parent.Version >= 2 || root is null)
        {
            return new ParentTree(repository, root, []);
        }

        var byPath = new Dictionary<string, TreeNode>(StringComparer.Ordinal);
        foreach (var path in parent.Paths)
        {
            if (root.TryGetValue(Key(Path.GetFileName(path)), out var node))
            {
                byPath[path] = node;
            }
        }

        return new ParentTree(repository, null, byPath);
    }

    /// <summary>The parent's version of the folders and files under <paramref name="folder"/> (the root when null).</summary>
    public async Task<Dictionary<string, TreeNode>?> ChildrenAsync(TreeNode? folder, CancellationToken cancellationToken) => folder switch
    {
        null => _root,
        { Type: NodeType.Dir, Subtree: { } subtree } => await LoadChildrenAsync(_repository, subtree, cancellationToken),
        _ => null,
    };

    /// <summary>
    /// The parent's node for <paramref name="target"/>: by its full path in a format 1 parent, else by name among
    /// <paramref name="siblings"/> (its folder's children in the parent).
    /// </summary>
    public TreeNode? NodeOf(TargetNode target, Dictionary<string, TreeNode>? siblings) =>
        _byPath.GetValueOrDefault(target.FullPath) ?? siblings?.GetValueOrDefault(Key(target.Name));

    /// <summary>A tree's nodes by name bytes (as Latin-1 text: one char per byte, so any name is a key).</summary>
    /// <remarks>A parent tree that cannot be read only means nothing is reused from it.</remarks>
    public static async Task<Dictionary<string, TreeNode>?> LoadChildrenAsync(Repository.Repository repository, BlobId treeId, CancellationToken cancellationToken)
    {
        try
        {
            var tree = await Tree.LoadAsync(repository, treeId, cancellationToken);
            return tree.Nodes.ToDictionary(n => Encoding.Latin1.GetString(n.NameBytes));
        }
        catch (Exception ex) when (ex is KeyNotFoundException or RepositoryFormatException or CryptographicIntegrityException)
        {
            return null;
        }
    }

    /// <summary>The key of a name given as text, as <see cref="LoadChildrenAsync"/> keys names.</summary>
    public static string Key(string name) => Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(name));
}
