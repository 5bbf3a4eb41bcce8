using System.Security.Cryptography;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Snapshots;

namespace Ztdr.Backup.Restoring;

/// <summary>
/// Restores a snapshot's tree into a target folder (v0: single-threaded). Every blob is authenticated as it is loaded.
/// A file is written under a temporary name in its folder and renamed only when complete, so a crash or a damaged blob
/// never leaves a partial file under the real name. Modes and modification times are restored (a folder's after its
/// children, whose creation would change it); owners are not (that needs root) in v0.
/// </summary>
internal sealed class Restorer(Repository.Repository repository)
{
    private const string TempSuffix = ".ztdr-restore";

    /// <summary>Restores every top-level node of <paramref name="snapshot"/> into <paramref name="target"/> (created if missing).</summary>
    public Task<RestoreSummary> RestoreAsync(Snapshot snapshot, string target, RestoreOptions options, CancellationToken cancellationToken) =>
        RestoreTreeAsync(snapshot.Tree, target, options, cancellationToken);

    /// <summary>Restores the nodes of tree <paramref name="tree"/> into <paramref name="target"/> (created if missing).</summary>
    public async Task<RestoreSummary> RestoreTreeAsync(BlobId tree, string target, RestoreOptions options, CancellationToken cancellationToken)
    {
        var run = new Run(options);
        Directory.CreateDirectory(target);
        await RestoreChildrenAsync(tree, Path.GetFullPath(target), run, cancellationToken);
        return new RestoreSummary(run.Files, run.Dirs, run.Symlinks, run.Bytes);
    }

    private async Task RestoreChildrenAsync(BlobId treeId, string folder, Run run, CancellationToken cancellationToken)
    {
        var tree = await Tree.LoadAsync(repository, treeId, cancellationToken);
        foreach (var node in tree.Nodes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = Path.Join(folder, CheckedName(node.DisplayName));
            switch (node.Type)
            {
                case NodeType.Dir:
                    await RestoreDirectoryAsync(node, path, run, cancellationToken);
                    break;
                case NodeType.File:
                    await RestoreFileAsync(node, path, run, cancellationToken);
                    break;
                case NodeType.Symlink:
                    RestoreSymlink(node, path, run);
                    break;
                default:
                    throw new RepositoryFormatException($"'{path}' has node type {node.Type}, which this version cannot restore.");
            }
        }
    }

    private async Task RestoreDirectoryAsync(TreeNode node, string path, Run run, CancellationToken cancellationToken)
    {
        var subtree = node.Subtree ?? throw new RepositoryFormatException($"The folder '{path}' has no subtree in its snapshot.");
        if (File.Exists(path) || IsSymlink(path))
        {
            throw new IOException($"'{path}' exists and is not a folder; move it away to restore the folder there.");
        }

        Directory.CreateDirectory(path);
        await RestoreChildrenAsync(subtree, path, run, cancellationToken);
        SetMode(path, node.Mode);
        FileTimes.SetModificationTime(path, node.MtimeNs);
        run.Dirs++;
    }

    private async Task RestoreFileAsync(TreeNode node, string path, Run run, CancellationToken cancellationToken)
    {
        CheckTarget(path, run);
        var content = node.Content ?? throw new RepositoryFormatException($"The file '{path}' has no content list in its snapshot.");
        var temp = Path.Join(Path.GetDirectoryName(path), "." + Path.GetFileName(path) + "." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)) + TempSuffix);
        var renamed = false;
        try
        {
            long written = 0;
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous))
            {
                foreach (var blobId in content)
                {
                    // LoadBlobAsync authenticates the blob and re-checks its id: a tampered pack fails here, not later.
                    var blob = await repository.LoadBlobAsync(blobId, cancellationToken);
                    await stream.WriteAsync(blob, cancellationToken);
                    written += blob.Length;
                }

                if (node.Size is { } size && size != written)
                {
                    throw new RepositoryFormatException($"The file '{path}' should be {size} bytes but its content blobs hold {written}.");
                }

                stream.Flush(flushToDisk: true);
            }

            SetMode(temp, node.Mode);
            FileTimes.SetModificationTime(temp, node.MtimeNs);
            File.Move(temp, path, overwrite: run.Options.Overwrite);
            renamed = true;
            run.Files++;
            run.Bytes += written;
        }
        finally
        {
            if (!renamed)
            {
                File.Delete(temp);
            }
        }
    }

    private static void RestoreSymlink(TreeNode node, string path, Run run)
    {
        var target = node.LinkTarget ?? throw new RepositoryFormatException($"The symlink '{path}' has no target in its snapshot.");
        CheckTarget(path, run);
        if (IsSymlink(path) || File.Exists(path))
        {
            File.Delete(path);
        }

        File.CreateSymbolicLink(path, target);
        FileTimes.SetModificationTime(path, node.MtimeNs);
        run.Symlinks++;
    }

    private static void CheckTarget(string path, Run run)
    {
        if (Directory.Exists(path) && !IsSymlink(path))
        {
            throw new IOException($"'{path}' is a folder where the snapshot has a file; move it away to restore the file.");
        }

        if (!run.Options.Overwrite && (File.Exists(path) || IsSymlink(path)))
        {
            throw new IOException($"'{path}' exists; restore into an empty folder, or pass --overwrite to replace existing files.");
        }
    }

    private static bool IsSymlink(string path) => new FileInfo(path).LinkTarget is not null;

    // The tree is authenticated, but a name is still never allowed to leave its folder: a bug or a key compromise
    // must not turn a restore into a write outside the target.
    private static string CheckedName(string name) =>
        name.Length == 0 || name is "." or ".." || name.Contains('/', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal)
            ? throw new RepositoryFormatException($"A tree holds the name '{name}', which would leave its folder; refusing to restore it.")
            : name;

    private static void SetMode(string path, uint mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)(mode & 0xfff));
        }
    }

    private sealed class Run(RestoreOptions options)
    {
        public RestoreOptions Options { get; } = options;

        public long Files { get; set; }

        public long Dirs { get; set; }

        public long Symlinks { get; set; }

        public long Bytes { get; set; }
    }
}
