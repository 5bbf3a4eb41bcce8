using System.Buffers;
using Ztdr.Backup.Chunking;

namespace Ztdr.Backup.Archiving;

/// <summary>
/// The shared state of one backup's pipeline: counters (interlocked), the error and skip lists, the hard links seen,
/// the chunk slots that bound memory, and progress reports (serialized, so a reporter sees one call at a time).
/// </summary>
internal sealed class BackupRun(IProgress<BackupProgress>? progress, int chunkSlots, int readers)
{
    private readonly Lock _gate = new();
    private readonly List<string> _skipped = [];
    private readonly List<string> _errors = [];
    private readonly Dictionary<(ulong Device, ulong Inode), HardLink> _hardLinks = [];
    private long _files;
    private long _dirs;
    private long _bytesRead;
    private long _bytesUnchanged;
    private long _filesUnchanged;
    private long _newBlobs;
    private long _addedBytes;
    private long? _totalFiles;
    private long? _totalBytes;

    /// <summary>
    /// Chunks read and not yet packed. Each holds one pooled copy of at most the maximum chunk size, so this bounds
    /// the pipeline's chunk memory whatever the data size; it is also how many blobs compress at once.
    /// </summary>
    public SemaphoreSlim ChunkSlots { get; } = new(chunkSlots);

    /// <summary>
    /// The chunk copies' buffers. A pool of this run's own rather than <see cref="ArrayPool{T}.Shared"/>, which keeps a
    /// buffer per size per thread: with the thread pool's threads, megabyte buffers held that way grew the process by
    /// hundreds of MiB. This one keeps at most one buffer per slot per size.
    /// </summary>
    public ArrayPool<byte> ChunkBuffers { get; } = ArrayPool<byte>.Create(ChunkerParameters.Default.MaxSize, chunkSlots);

    /// <summary>The readers' chunking buffers (up to twice the maximum chunk each), pooled per run for the same reason.</summary>
    public ArrayPool<byte> ReaderBuffers { get; } = ArrayPool<byte>.Create(2 * ChunkerParameters.Default.MaxSize, readers);

    public long Files => Interlocked.Read(ref _files);

    public long Dirs => Interlocked.Read(ref _dirs);

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    public long FilesUnchanged => Interlocked.Read(ref _filesUnchanged);

    public long NewBlobs => Interlocked.Read(ref _newBlobs);

    public long AddedBytes => Interlocked.Read(ref _addedBytes);

    public IReadOnlyList<string> Skipped => Sorted(_skipped);

    public IReadOnlyList<string> Errors => Sorted(_errors);

    public void AddBytesRead(long bytes) => Interlocked.Add(ref _bytesRead, bytes);

    public void CountBlob(bool stored, int length)
    {
        if (stored)
        {
            Interlocked.Increment(ref _newBlobs);
            Interlocked.Add(ref _addedBytes, length);
        }
    }

    public void FileDone(string path)
    {
        Interlocked.Increment(ref _files);
        Report(path);
    }

    public void FileUnchanged(string path, long size)
    {
        Interlocked.Increment(ref _filesUnchanged);
        Interlocked.Add(ref _bytesUnchanged, size);
        FileDone(path);
    }

    public void DirDone(string path)
    {
        Interlocked.Increment(ref _dirs);
        Report(path);
    }

    public void Skip(string path)
    {
        lock (_gate)
        {
            _skipped.Add(path);
        }
    }

    public void Error(string path, Exception error)
    {
        lock (_gate)
        {
            _errors.Add($"{path}: {error.Message}");
        }
    }

    /// <summary>From the pre-scan, once it has counted everything.</summary>
    public void SetTotals(long files, long bytes)
    {
        lock (_gate)
        {
            _totalFiles = files;
            _totalBytes = bytes;
        }
    }

    /// <summary>
    /// The hard link group of (device, inode): ids are handed out in walk order (tree order), so the same folder gets
    /// the same ids and the same tree JSON. <paramref name="first"/> is true for the group's first path, which reads the
    /// content for all of them.
    /// </summary>
    public HardLink HardLinkOf(ulong device, ulong inode, out bool first)
    {
        lock (_gate)
        {
            first = !_hardLinks.TryGetValue((device, inode), out var link);
            if (first)
            {
                link = new HardLink(_hardLinks.Count);
                _hardLinks[(device, inode)] = link;
            }

            return link!;
        }
    }

    private void Report(string path)
    {
        if (progress is null)
        {
            return;
        }

        lock (_gate)
        {
            progress.Report(new BackupProgress(Files, Dirs, BytesRead, AddedBytes, path)
            {
                FilesUnchanged = FilesUnchanged,
                BytesDone = BytesRead + Interlocked.Read(ref _bytesUnchanged),
                TotalFiles = _totalFiles,
                TotalBytes = _totalBytes,
            });
        }
    }

    private List<string> Sorted(List<string> list)
    {
        lock (_gate)
        {
            return [.. list.Order(StringComparer.Ordinal)];
        }
    }
}

/// <summary>Files sharing one inode: the id their nodes carry and the first path's node once it is read (null: unreadable).</summary>
internal sealed class HardLink(long id)
{
    public long Id { get; } = id;

    public TaskCompletionSource<Snapshots.TreeNode?> First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether the first path's content came unchanged from the parent (set before <see cref="First"/> completes).</summary>
    public bool FirstUnchanged { get; set; }
}
