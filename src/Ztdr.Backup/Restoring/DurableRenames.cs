using Microsoft.Win32.SafeHandles;
using Ztdr.Backup.FileSystem;

namespace Ztdr.Backup.Restoring;

/// <summary>
/// Renames completed files to their real names in groups, after one syncfs(2) made the whole group durable: a file
/// under a real name is never torn after a crash, as with an fsync per file, but the disk's flush latency is paid once
/// per group rather than once per file (the difference between minutes and seconds for many small files). A full group
/// is synced and renamed in the background while the restore goes on filling the next one, so the writers never wait
/// for the disk unless a second group fills before the first is done (then the writer that filled it waits: at most
/// two groups ever wait under temporary names). Files wait under their temporary names until their group is renamed;
/// <see cref="Abandon"/> removes those left when a restore fails or is cancelled.
/// </summary>
internal sealed class DurableRenames : IDisposable
{
    /// <summary>
    /// Files per group: bounds what waits under a temporary name and the list held in memory. 512 made 31 syncfs for
    /// 15,557 files, and a writer that filled a group while the previous one was still flushing held the others up:
    /// restore of 1 GiB 7.3-8.0 s wall, against 5.6-6.1 s with 4,096 (16,384 gained nothing more).
    /// </summary>
    public const int MaxFiles = 4096;

    /// <summary>Bytes per group: bounds how much written data one flush waits for.</summary>
    public const long MaxBytes = 1024L * 1024 * 1024;

    private readonly Lock _lock = new();
    private readonly SafeFileHandle _fileSystem;
    private readonly byte[] _root;
    private readonly bool _replace;
    private readonly Action<int> _renamed;
    private List<(byte[] Temp, byte[] Path)> _waiting = [];
    private long _waitingBytes;

    // The group being synced and renamed in the background, and that work. Its list belongs to the task until the
    // task ends; what is left in it then (after a failure) is still under temporary names.
    private List<(byte[] Temp, byte[] Path)> _flushing = [];
    private Task _flush = Task.CompletedTask;

    /// <param name="root">A folder on the file system the files are written to (the restore target).</param>
    /// <param name="replace">Whether a rename may replace an existing entry (--overwrite).</param>
    /// <param name="renamed">Told how many files got their real names, after each group (from any thread).</param>
    public DurableRenames(byte[] root, bool replace, Action<int> renamed)
    {
        _root = root;
        _replace = replace;
        _renamed = renamed;
        _fileSystem = PosixWriter.OpenDirectory(root);
    }

    /// <summary>
    /// Queues a closed, complete file for its real name; when the group is full, hands it to the background. Throws
    /// the error of an earlier group that failed.
    /// </summary>
    public void Add(byte[] temp, byte[] path, long bytes)
    {
        lock (_lock)
        {
            _waiting.Add((temp, path));
            _waitingBytes += bytes;
            if (_waiting.Count >= MaxFiles || _waitingBytes >= MaxBytes)
            {
                // The previous group first: groups are renamed in order, and at most one is in the background.
                AwaitFlushLocked();
                (_flushing, _waiting, _waitingBytes) = (_waiting, [], 0);
                var group = _flushing;
                _flush = Task.Run(() => FlushGroup(group));
            }
        }
    }

    /// <summary>Makes every queued file durable, then renames each to its real name; throws what a group failed with.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            AwaitFlushLocked();
            FlushGroup(_waiting);
            _waitingBytes = 0;
        }
    }

    /// <summary>
    /// Removes the temporary files still waiting (after a failure or cancel): none of them got a real name. Waits for
    /// a group in the background first, whatever its outcome (the failure that led here is already being reported).
    /// </summary>
    public void Abandon()
    {
        lock (_lock)
        {
            try
            {
                _flush.Wait();
            }
            catch (AggregateException)
            {
                // The group's files still under temporary names stay in _flushing and are removed below.
            }

            foreach (var (temp, _) in _flushing.Concat(_waiting))
            {
                PosixWriter.RemoveIfPresent(temp);
            }

            _flushing.Clear();
            _waiting.Clear();
            _waitingBytes = 0;
        }
    }

    public void Dispose() => _fileSystem.Dispose();

    // Waits for the group in the background and rethrows its error as it was thrown (an IOException naming the file).
    private void AwaitFlushLocked() => _flush.GetAwaiter().GetResult();

    private void FlushGroup(List<(byte[] Temp, byte[] Path)> group)
    {
        if (group.Count == 0)
        {
            return;
        }

        PosixWriter.SyncFileSystem(_fileSystem, _root);
        var done = 0;
        try
        {
            foreach (var (temp, path) in group)
            {
                PosixWriter.Rename(temp, path, _replace);
                done++;
            }
        }
        finally
        {
            // Renamed files leave the list; a failed rename leaves itself and the rest for Abandon.
            group.RemoveRange(0, done);
            _renamed(done);
        }
    }
}
