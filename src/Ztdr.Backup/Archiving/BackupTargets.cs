using Ztdr.Backup.Snapshots;

namespace Ztdr.Backup.Archiving;

/// <summary>
/// The paths of one backup as a trie of their absolute components: the shape of the snapshot's root tree (snapshot
/// format 2, repository-format.md § 9.2). The root stands for <c>/</c>; each backed-up path is a target node, and the
/// folders above it are prefix nodes that the archiver fills with the real folder's metadata (as restic does). A path
/// inside another (or given twice) adds nothing: the outer target already covers it.
/// </summary>
internal sealed class BackupTargets
{
    private BackupTargets(TargetNode root, IReadOnlyList<string> paths, IReadOnlyList<(string Given, TargetNode Node)> targets)
    {
        Root = root;
        Paths = paths;
        Targets = targets;
    }

    /// <summary>The trie's root: <c>/</c>. A target itself when <c>/</c> is backed up; its tree is then the root tree.</summary>
    public TargetNode Root { get; }

    /// <summary>The absolute paths asked for, each once, in the order given: what the snapshot records.</summary>
    public IReadOnlyList<string> Paths { get; }

    /// <summary>The target nodes that are backed up (none inside another), each with the first path given for it.</summary>
    public IReadOnlyList<(string Given, TargetNode Node)> Targets { get; }

    /// <summary>Builds the trie of <paramref name="paths"/> (made absolute against the current folder).</summary>
    public static BackupTargets Build(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0)
        {
            throw new ArgumentException("Name at least one path to back up.", nameof(paths));
        }

        var given = paths.Select(p => (Given: p, Full: Absolute(p))).ToList();

        // Outer paths first, so an inner one finds the target that covers it already in place.
        var root = new TargetNode("", "/");
        var targets = new List<(string Given, TargetNode Node)>();
        foreach (var (path, full) in given.OrderBy(g => Components(g.Full).Length))
        {
            var node = root;
            foreach (var component in Components(full))
            {
                if (node.IsTarget)
                {
                    break;
                }

                node = node.Child(component);
            }

            if (!node.IsTarget)
            {
                node.MarkTarget();
                targets.Add((path, node));
            }
        }

        // Reported in the order given, as the paths were before.
        targets.Sort((a, b) => given.FindIndex(g => g.Given == a.Given).CompareTo(given.FindIndex(g => g.Given == b.Given)));
        return new BackupTargets(root, [.. given.Select(g => g.Full).Distinct(StringComparer.Ordinal)], targets);
    }

    /// <summary><paramref name="path"/> absolute, without a trailing separator ("/" stays "/").</summary>
    public static string Absolute(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    private static string[] Components(string full) => full.Split('/', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>One folder or target of <see cref="BackupTargets"/>: a name, its absolute path, its children by name.</summary>
internal sealed class TargetNode(string name, string fullPath)
{
    private readonly SortedDictionary<string, TargetNode> _children = new(Comparer<string>.Create(Tree.CompareNames));

    /// <summary>The last component ("" for the root).</summary>
    public string Name { get; } = name;

    public string FullPath { get; } = fullPath;

    /// <summary>Backed up whole; a target has no children in the trie.</summary>
    public bool IsTarget { get; private set; }

    /// <summary>The prefix's children in tree order (UTF-8 bytes of the names); empty for a target.</summary>
    public IEnumerable<TargetNode> Children => _children.Values;

    internal TargetNode Child(string component)
    {
        if (!_children.TryGetValue(component, out var child))
        {
            child = new TargetNode(component, FullPath == "/" ? "/" + component : FullPath + "/" + component);
            _children.Add(component, child);
        }

        return child;
    }

    // A target covers whatever was under it.
    internal void MarkTarget()
    {
        IsTarget = true;
        _children.Clear();
    }
}
