using Ztdr.Backup.Crypto;
using Ztdr.Backup.FileSystem;
using Ztdr.Backup.Snapshots;

namespace Ztdr.Backup.Restoring;

/// <summary>
/// What a restore will write, found by walking the snapshot's trees before anything is written: the folders in tree
/// order (a parent before its children), the files, symlinks and hard links, each with its byte path. Building the plan
/// also checks the target, so that a conflict (an existing file without --overwrite, a folder where a file goes) stops
/// the restore before it has changed anything. Holds one small record per restored entry, never file content.
/// </summary>
internal sealed class RestorePlan
{
    private readonly Dictionary<long, byte[]> _firstOfHardLink = [];
    private readonly List<string> _names = [];
    private readonly Repository.Repository _repository;
    private readonly RestoreFilter _filter;
    private readonly bool _overwrite;

    private RestorePlan(Repository.Repository repository, RestoreFilter filter, bool overwrite)
    {
        _repository = repository;
        _filter = filter;
        _overwrite = overwrite;
    }

    /// <summary>Folders in tree order: creating them in this order always finds the parent in place.</summary>
    public List<PlannedEntry> Folders { get; } = [];

    public List<PlannedEntry> Files { get; } = [];

    public List<PlannedEntry> Symlinks { get; } = [];

    /// <summary>Later nodes of a hard-link set, each with the path of the set's first restored node (a file).</summary>
    public List<(PlannedEntry Entry, byte[] Existing)> HardLinks { get; } = [];

    /// <summary>Bytes of all planned files, for progress.</summary>
    public long Bytes { get; private set; }

    /// <summary>
    /// Walks tree <paramref name="tree"/> for a restore into <paramref name="target"/> (a full path without trailing
    /// '/'). <paramref name="targetExists"/> says whether to look for conflicts at all: in a new folder there are none.
    /// </summary>
    public static async Task<RestorePlan> BuildAsync(
        Repository.Repository repository, BlobId tree, string target, bool targetExists, RestoreFilter filter, bool overwrite, CancellationToken cancellationToken)
    {
        var plan = new RestorePlan(repository, filter, overwrite);
        await plan.AddTreeAsync(tree, PosixWriter.PathOf(target), targetExists, cancellationToken);
        return plan;
    }

    // Returns whether anything under the folder is restored.
    private async Task<bool> AddTreeAsync(BlobId treeId, byte[] folder, bool folderExists, CancellationToken cancellationToken)
    {
        var tree = await Tree.LoadAsync(_repository, treeId, cancellationToken);
        var folderBytes = PosixWriter.Bytes(folder).ToArray();
        var any = false;
        foreach (var node in tree.Nodes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = CheckedName(node);
            _names.Add(node.DisplayName);
            try
            {
                var entry = new PlannedEntry(node, folderBytes, PosixWriter.Join(folderBytes, name));
                var decision = _filter.Decide(_names, node.Type == NodeType.Dir);
                any |= decision != FilterDecision.Skip && await AddAsync(entry, decision, folderExists, cancellationToken);
            }
            finally
            {
                _names.RemoveAt(_names.Count - 1);
            }
        }

        return any;
    }

    private async Task<bool> AddAsync(PlannedEntry entry, FilterDecision decision, bool folderExists, CancellationToken cancellationToken)
    {
        var node = entry.Node;
        var existing = folderExists ? PosixWriter.KindOf(entry.Path) : PosixWriter.PathKind.None;
        switch (node.Type)
        {
            case NodeType.Dir:
                var subtree = node.Subtree ?? throw new RepositoryFormatException($"The folder '{entry.Display}' has no subtree in its snapshot.");
                if (existing is not (PosixWriter.PathKind.None or PosixWriter.PathKind.Directory))
                {
                    throw new IOException($"'{entry.Display}' exists and is not a folder; move it away to restore the folder there.");
                }

                var index = Folders.Count;
                Folders.Add(entry);
                if (!await AddTreeAsync(subtree, entry.Path, existing == PosixWriter.PathKind.Directory, cancellationToken) && decision != FilterDecision.Restore)
                {
                    // Only looked into for includes below it, and none matched: nothing to create. Its subtree added
                    // nothing, so it is still the last folder.
                    Folders.RemoveAt(index);
                    return false;
                }

                return true;
            case NodeType.File:
                CheckTarget(entry, existing);
                _ = node.Content ?? throw new RepositoryFormatException($"The file '{entry.Display}' has no content list in its snapshot.");
                if (node.HardLinkId is { } linkId)
                {
                    if (_firstOfHardLink.TryGetValue(linkId, out var first))
                    {
                        HardLinks.Add((entry, first));
                        return true;
                    }

                    _firstOfHardLink[linkId] = entry.Path;
                }

                Files.Add(entry);
                Bytes += node.Size ?? 0;
                return true;
            case NodeType.Symlink:
                CheckTarget(entry, existing);
                _ = node.LinkTarget ?? throw new RepositoryFormatException($"The symlink '{entry.Display}' has no target in its snapshot.");
                Symlinks.Add(entry);
                return true;
            default:
                throw new RepositoryFormatException($"'{entry.Display}' has node type {node.Type}, which this version cannot restore.");
        }
    }

    private void CheckTarget(PlannedEntry entry, PosixWriter.PathKind existing)
    {
        if (existing == PosixWriter.PathKind.Directory)
        {
            throw new IOException($"'{entry.Display}' is a folder where the snapshot has a file; move it away to restore the file.");
        }

        if (!_overwrite && existing != PosixWriter.PathKind.None)
        {
            throw new IOException($"'{entry.Display}' exists; restore into an empty folder, or pass --overwrite to replace existing files.");
        }
    }

    // The tree is authenticated, but a name is still never allowed to leave its folder: a bug or a key compromise
    // must not turn a restore into a write outside the target.
    private static byte[] CheckedName(TreeNode node)
    {
        var name = node.NameBytes;
        return name.Length == 0 || name is [(byte)'.'] or [(byte)'.', (byte)'.'] || name.AsSpan().IndexOfAny((byte)'/', (byte)0) >= 0
            ? throw new RepositoryFormatException($"A tree holds the name '{node.DisplayName}', which would leave its folder; refusing to restore it.")
            : name;
    }
}

/// <summary>One entry to restore: its node, its folder's path bytes (no terminator) and its own NUL-terminated path.</summary>
internal sealed record PlannedEntry(TreeNode Node, byte[] Folder, byte[] Path)
{
    public string Display => PosixWriter.Display(Path);
}
