using Ztdr.Backup.Chunking;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Snapshots;

namespace Ztdr.Backup.Archiving;

/// <summary>
/// Backs up files into a repository (v0: single-threaded). Walks each path depth-first, chunks file contents with
/// FastCDC, saves each chunk as a data blob (the repository deduplicates), builds each directory's tree after its
/// children so memory holds one node list per level of the path being walked plus one chunk buffer, then commits the
/// snapshot through <see cref="SnapshotCatalog"/> (flush, lock coverage, snapshot object — in that order).
/// </summary>
/// <remarks>Not thread-safe; one backup at a time per repository.</remarks>
internal sealed class Archiver(Repository.Repository repository, SnapshotCatalog catalog, TimeProvider time)
{
    private readonly FastCdcChunker _chunker = new(ChunkerParameters.Default);

    public async Task<BackupSummary> BackupAsync(BackupRequest request, CancellationToken cancellationToken)
    {
        if (request.Paths.Count == 0)
        {
            throw new ArgumentException("Name at least one path to back up.", nameof(request));
        }

        var started = time.GetUtcNow();
        var run = new Run(request.Progress);
        var rootNodes = new List<TreeNode>();
        var absolutePaths = new List<string>();
        foreach (var path in request.Paths)
        {
            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
            var name = Path.GetFileName(full);
            if (name.Length == 0)
            {
                throw new ArgumentException($"'{path}' has no last component to name it by; back up its contents instead.", nameof(request));
            }

            if (rootNodes.Any(n => n.Name == name))
            {
                throw new ArgumentException($"Two paths end in '{name}'; one snapshot holds each last component once.", nameof(request));
            }

            var node = await ArchiveEntryAsync(full, name, run, cancellationToken)
                ?? throw new IOException($"'{path}' could not be backed up: {string.Join("; ", run.Errors.Concat(run.Skipped))}");
            rootNodes.Add(node);
            absolutePaths.Add(full);
        }

        var rootId = await SaveTreeAsync(new Tree(rootNodes), run, cancellationToken);
        var retainUntil = repository.RunRetainUntil;
        var snapshot = new Snapshot(
            started,
            request.Hostname,
            request.Username,
            absolutePaths,
            request.Tags,
            rootId,
            request.Parent,
            retainUntil,
            request.Program,
            new SnapshotSummary(run.Files, run.Dirs, run.BytesRead, run.AddedBytes));
        var snapshotId = await catalog.SaveAsync(snapshot, cancellationToken);
        return new BackupSummary(snapshotId, rootId, run.Files, run.Dirs, run.BytesRead, run.NewBlobs, run.AddedBytes, run.Skipped, run.Errors);
    }

    // Null when the entry is skipped (special file) or unreadable (recorded in the run).
    private async Task<TreeNode?> ArchiveEntryAsync(string path, string name, Run run, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var metadata = FileMetadata.Read(path);
            switch (metadata.Kind)
            {
                case FileKind.File:
                    var (content, size) = await ArchiveContentAsync(path, run, cancellationToken);
                    run.Files++;
                    run.Report(path);
                    return NodeOf(name, NodeType.File, metadata) with { Size = size, Content = content };
                case FileKind.Directory:
                    var subtree = await ArchiveDirectoryAsync(path, run, cancellationToken);
                    run.Dirs++;
                    run.Report(path);
                    return NodeOf(name, NodeType.Dir, metadata) with { Subtree = subtree };
                case FileKind.Symlink:
                    var target = new FileInfo(path).LinkTarget ?? throw new IOException($"'{path}' stopped being a symlink while it was read.");
                    return NodeOf(name, NodeType.Symlink, metadata) with { LinkTarget = target };
                default:
                    run.Skipped.Add(path);
                    return null;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            run.Errors.Add($"{path}: {ex.Message}");
            return null;
        }
    }

    private async Task<BlobId> ArchiveDirectoryAsync(string path, Run run, CancellationToken cancellationToken)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = false, AttributesToSkip = 0, ReturnSpecialDirectories = false };
        var names = Directory.EnumerateFileSystemEntries(path, "*", options).Select(Path.GetFileName).OfType<string>().ToList();
        names.Sort(Tree.CompareNames);
        var nodes = new List<TreeNode>(names.Count);
        foreach (var name in names)
        {
            if (await ArchiveEntryAsync(Path.Join(path, name), name, run, cancellationToken) is { } node)
            {
                nodes.Add(node);
            }
        }

        return await SaveTreeAsync(new Tree(nodes), run, cancellationToken);
    }

    private async Task<(IReadOnlyList<BlobId> Content, long Size)> ArchiveContentAsync(string path, Run run, CancellationToken cancellationToken)
    {
        var content = new List<BlobId>();
        long size = 0;
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        using var reader = new ChunkReader(stream, _chunker);
        await foreach (var chunk in reader.ReadAllAsync(cancellationToken))
        {
            var id = await repository.SaveBlobAsync(BlobType.Data, chunk, cancellationToken);
            run.Count(id, chunk.Length, repository);
            content.Add(id);
            size += chunk.Length;
        }

        run.BytesRead += size;
        return (content, size);
    }

    private async Task<BlobId> SaveTreeAsync(Tree tree, Run run, CancellationToken cancellationToken)
    {
        var json = tree.Serialize();
        var id = await repository.SaveBlobAsync(BlobType.Tree, json, cancellationToken);
        run.Count(id, json.Length, repository);
        return id;
    }

    private static TreeNode NodeOf(string name, NodeType type, FileMetadata metadata) => new()
    {
        Name = name,
        Type = type,
        Mode = metadata.Mode,
        Uid = metadata.Uid,
        Gid = metadata.Gid,
        MtimeNs = metadata.MtimeNs,
        CtimeNs = metadata.CtimeNs,
        Inode = metadata.Inode,
        Device = metadata.Device,
        Links = metadata.Links,
    };

    private sealed class Run(IProgress<BackupProgress>? progress)
    {
        // Blobs new in this run: the index is only updated on flush, so a blob missing from it was either uploaded
        // earlier in this run (in this set) or is new now. 32 bytes per new blob: about 40 bytes per MiB backed up.
        private readonly HashSet<BlobId> _new = [];

        public long Files { get; set; }

        public long Dirs { get; set; }

        public long BytesRead { get; set; }

        public long NewBlobs { get; private set; }

        public long AddedBytes { get; private set; }

        public List<string> Skipped { get; } = [];

        public List<string> Errors { get; } = [];

        public void Report(string path) => progress?.Report(new BackupProgress(Files, Dirs, BytesRead, AddedBytes, path));

        public void Count(BlobId id, int length, Repository.Repository repository)
        {
            if (!repository.Index.TryGet(id, out _) && _new.Add(id))
            {
                NewBlobs++;
                AddedBytes += length;
            }
        }
    }
}
