using System.Text;
using System.Threading.Channels;
using Ztdr.Backup.Chunking;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.FileSystem;
using Ztdr.Backup.Snapshots;

namespace Ztdr.Backup.Archiving;

/// <summary>
/// Backs up files into a repository with a parallel pipeline (docs/architecture.md, "Backup pipeline"):
/// <list type="number">
/// <item>one walker lists folders by raw names in tree order, stats every entry, and queues regular files on a bounded
/// channel (<see cref="FileQueueLength"/>); a file unchanged since the parent snapshot, or a further link to an inode
/// already queued, is queued all the same but never opened;</item>
/// <item><see cref="BackupRequest.Concurrency"/> readers (at most <see cref="MaxReaders"/>) open and chunk queued files (FastCDC) and hand each chunk, as a
/// pooled copy, to a save task once a chunk slot is free (2 × concurrency slots: the memory bound);</item>
/// <item>save tasks compute the keyed id, claim it (dedupe exact under concurrency), compress and seal it into the open
/// pack (<see cref="Repository.Repository.StoreBlobAsync"/>); the task that fills a pack uploads it, at most
/// <see cref="Repository.Repository.MaxConcurrentUploads"/> at once;</item>
/// <item>each folder's tree is built when its children are done, from their nodes in name order, so a tree's JSON (and
/// id) does not depend on which file finished first; the root tree last, then the snapshot through
/// <see cref="SnapshotCatalog"/> (flush, lock coverage, snapshot object — in that order).</item>
/// </list>
/// </summary>
/// <remarks>One backup at a time per repository.</remarks>
internal sealed partial class Archiver(Repository.Repository repository, SnapshotCatalog catalog, TimeProvider time)
{
    /// <summary>Files walked ahead of the readers: enough to keep readers busy, few enough to keep nodes small in memory.</summary>
    public const int FileQueueLength = 256;

    /// <summary>
    /// File readers at most, whatever the core count: each may hold a 16 MiB chunk buffer, and a large file already
    /// spreads over every core through its chunks; several readers are for the per-file latency of small files.
    /// </summary>
    public const int MaxReaders = 8;

    private readonly FastCdcChunker _chunker = new(ChunkerParameters.Default);

    public async Task<BackupSummary> BackupAsync(BackupRequest request, CancellationToken cancellationToken)
    {
        var targets = BackupTargets.Build(request.Paths);
        var started = time.GetUtcNow();
        var startedTicks = time.GetTimestamp();
        var packsBefore = repository.PacksUploaded;
        var parentId = await ChooseParentAsync(request, targets, cancellationToken);
        var parent = parentId is { } id ? await ParentTree.LoadAsync(repository, await catalog.LoadAsync(id, cancellationToken), cancellationToken) : null;

        var concurrency = Math.Max(1, request.Concurrency);
        var readerCount = Math.Min(concurrency, MaxReaders);
        var run = new BackupRun(request.Progress, 2 * concurrency, readerCount);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var ownScan = request.Progress is null || request.Scan is not null ? null : PreScan.Start(targets);
        var scan = request.Progress is null ? null : request.Scan ?? ownScan;
        var totals = scan?.Totals.ContinueWith(
            counted =>
            {
                if (counted.IsCompletedSuccessfully)
                {
                    run.SetTotals(counted.Result.Files, counted.Result.Bytes);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default) ?? Task.CompletedTask;
        var files = Channel.CreateBounded<FileJob>(new BoundedChannelOptions(FileQueueLength) { SingleWriter = true });
        var visited = new Dictionary<TargetNode, Task<TreeNode?>>();
        Task<TreeNode?>? rootNode = null;
        var walker = Task.Run(
            () => PipelineStages.StopOnFailureAsync(stop, async () =>
            {
                try
                {
                    rootNode = await VisitRootAsync(targets.Root, parent, visited, run, files.Writer, stop.Token);
                }
                finally
                {
                    files.Writer.TryComplete();
                }
            }),
            CancellationToken.None);
        var readers = Enumerable.Range(0, readerCount)
            .Select(_ => Task.Run(() => PipelineStages.StopOnFailureAsync(stop, () => ReadFilesAsync(files.Reader, run, stop.Token)), CancellationToken.None))
            .ToList();

        try
        {
            await PipelineStages.WhenAllOrFirstFailureAsync([walker, .. readers]);
            foreach (var (given, target) in targets.Targets)
            {
                if (await visited[target] is null)
                {
                    throw new IOException($"'{given}' could not be backed up: {string.Join("; ", run.Errors.Concat(run.Skipped))}");
                }
            }

            var rootId = (await rootNode!)?.Subtree
                ?? throw new IOException($"A folder above the backed-up paths could not be read: {string.Join("; ", run.Errors)}");
            var snapshot = new Snapshot(
                started,
                request.Hostname,
                request.Username,
                targets.Paths,
                request.Tags,
                rootId,
                parentId,
                repository.RunRetainUntil,
                request.Program,
                new SnapshotSummary(run.Files, run.Dirs, run.BytesRead, run.AddedBytes));
            var snapshotId = await catalog.SaveAsync(snapshot, cancellationToken);
            return new BackupSummary(snapshotId, rootId, run.Files, run.Dirs, run.BytesRead, run.NewBlobs, run.AddedBytes, run.Skipped, run.Errors)
            {
                FilesUnchanged = run.FilesUnchanged,
                PacksUploaded = repository.PacksUploaded - packsBefore,
                Duration = time.GetElapsedTime(startedTicks),
                Parent = parentId,
                Time = started,
            };
        }
        finally
        {
            await stop.CancelAsync();
            if (scan is not null)
            {
                await scan.StopAsync();
            }

            await totals;
        }
    }

    // The parent: none with --force, the one named, or the newest snapshot of the same paths from the same host.
    private async Task<ObjectId?> ChooseParentAsync(BackupRequest request, BackupTargets targets, CancellationToken cancellationToken)
    {
        if (request.Force)
        {
            return null;
        }

        if (request.Parent is { } named)
        {
            return named;
        }

        var paths = targets.Paths.Order(StringComparer.Ordinal).ToList();
        var snapshots = await catalog.ListAsync(cancellationToken);
        for (var i = snapshots.Count - 1; i >= 0; i--)
        {
            var snapshot = snapshots[i].Snapshot;
            if (snapshot.Hostname == request.Hostname && snapshot.Paths.Order(StringComparer.Ordinal).SequenceEqual(paths))
            {
                return snapshots[i].Id;
            }
        }

        return null;
    }

    // Walker: returns once the entry (and, for a folder, everything under it) is queued; the inner task is its node.
    private async Task<Task<TreeNode?>> VisitAsync(
        byte[] path, byte[] name, string display, TreeNode? previous, BackupRun run, ChannelWriter<FileJob> files, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var metadata = PosixReader.Stat(path);
            switch (metadata.Kind)
            {
                case FileKind.File:
                    var node = NodeOf(name, NodeType.File, metadata);
                    HardLink? link = null;
                    if (metadata.Links > 1)
                    {
                        link = run.HardLinkOf(metadata.Device, metadata.Inode, out var first);
                        node = node with { HardLinkId = link.Id };
                        if (!first)
                        {
                            return LinkAsync(node, link, display, run);
                        }
                    }

                    var job = new FileJob(path, display, node, metadata, previous, link);
                    await files.WriteAsync(job, cancellationToken);
                    return job.Completion.Task;
                case FileKind.Directory:
                    var previousChildren = previous is { Type: NodeType.Dir, Subtree: { } subtree }
                        ? await ParentTree.LoadChildrenAsync(repository, subtree, cancellationToken)
                        : null;
                    return await VisitDirectoryAsync(path, display, NodeOf(name, NodeType.Dir, metadata), previousChildren, run, files, cancellationToken);
                case FileKind.Symlink:
                    return Task.FromResult<TreeNode?>(NodeOf(name, NodeType.Symlink, metadata) with { LinkTarget = PosixReader.ReadLink(path) });
                default:
                    run.Skip(display);
                    return Task.FromResult<TreeNode?>(null);
            }
        }
        catch (IOException ex)
        {
            run.Error(display, ex);
            return Task.FromResult<TreeNode?>(null);
        }
    }

    private async Task<Task<TreeNode?>> VisitDirectoryAsync(
        byte[] path, string display, TreeNode node, Dictionary<string, TreeNode>? previousChildren, BackupRun run, ChannelWriter<FileJob> files, CancellationToken cancellationToken)
    {
        var names = PosixReader.ReadDirectory(path);
        names.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        var children = new List<Task<TreeNode?>>(names.Count);
        foreach (var name in names)
        {
            var childPath = PosixReader.Join(path, name);
            var childPrevious = previousChildren?.GetValueOrDefault(Encoding.Latin1.GetString(name));
            children.Add(await VisitAsync(childPath, name, PosixReader.Display(childPath), childPrevious, run, files, cancellationToken));
        }

        return CompleteDirectoryAsync(node, display, children, run, cancellationToken);
    }

    // A folder's tree once all its children are done; their order is the name order the walker queued them in.
    private async Task<TreeNode?> CompleteDirectoryAsync(TreeNode node, string display, List<Task<TreeNode?>> children, BackupRun run, CancellationToken cancellationToken)
    {
        var nodes = await Task.WhenAll(children);
        var subtree = await SaveTreeAsync(new Tree(nodes.OfType<TreeNode>()), run, cancellationToken);
        run.DirDone(display);
        return node with { Subtree = subtree };
    }

    // A further path of an inode already queued: same content, never read again.
    private static async Task<TreeNode?> LinkAsync(TreeNode node, HardLink link, string display, BackupRun run)
    {
        if (await link.First.Task is not { } first)
        {
            run.Error(display, new IOException("another hard link to this file could not be read"));
            return null;
        }

        // Unchanged when the inode was: the same content, taken from the parent without reading.
        if (link.FirstUnchanged)
        {
            run.FileUnchanged(display, first.Size ?? 0);
        }
        else
        {
            run.FileDone(display);
        }

        return node with { Size = first.Size, Content = first.Content };
    }

    private async Task ReadFilesAsync(ChannelReader<FileJob> files, BackupRun run, CancellationToken cancellationToken)
    {
        await foreach (var job in files.ReadAllAsync(cancellationToken))
        {
            TreeNode? node;
            try
            {
                node = await ArchiveFileAsync(job, run, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                run.Error(job.Display, ex);
                node = null;
            }
            catch (Exception ex)
            {
                job.Completion.TrySetException(ex);
                job.Link?.First.TrySetException(ex);
                throw;
            }

            job.Completion.TrySetResult(node);
            job.Link?.First.TrySetResult(node);
        }
    }

    private async Task<TreeNode> ArchiveFileAsync(FileJob job, BackupRun run, CancellationToken cancellationToken)
    {
        if (job.Previous is { Type: NodeType.File, Content: { } previousContent } previous
            && previous.Size == job.Metadata.Size
            && previous.MtimeNs == job.Metadata.MtimeNs
            && previous.CtimeNs == job.Metadata.CtimeNs
            && previous.Inode == job.Metadata.Inode
            && previous.Device == job.Metadata.Device
            && repository.ReferenceBlobs(previousContent))
        {
            run.FileUnchanged(job.Display, job.Metadata.Size);
            if (job.Link is { } firstOfLinks)
            {
                firstOfLinks.FirstUnchanged = true;
            }

            return job.Node with { Size = job.Metadata.Size, Content = previousContent };
        }

        var (content, size) = await new ContentReader(repository, _chunker, run).ReadAsync(job.Path, cancellationToken);
        run.FileDone(job.Display);
        return job.Node with { Size = size, Content = content };
    }

    private async Task<BlobId> SaveTreeAsync(Tree tree, BackupRun run, CancellationToken cancellationToken)
    {
        var json = tree.Serialize();
        var (id, stored) = await repository.StoreBlobAsync(BlobType.Tree, json, cancellationToken);
        run.CountBlob(stored, json.Length);
        return id;
    }

    private static TreeNode NodeOf(byte[] name, NodeType type, FileMetadata metadata) => TreeNode.Named(name, type) with
    {
        Mode = metadata.Mode,
        Uid = metadata.Uid,
        Gid = metadata.Gid,
        MtimeNs = metadata.MtimeNs,
        CtimeNs = metadata.CtimeNs,
        Inode = metadata.Inode,
        Device = metadata.Device,
        Links = metadata.Links,
    };

    /// <summary>A regular file the walker queued: its node without content, what the parent snapshot had, its link group.</summary>
    private sealed record FileJob(byte[] Path, string Display, TreeNode Node, FileMetadata Metadata, TreeNode? Previous, HardLink? Link)
    {
        public TaskCompletionSource<TreeNode?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
