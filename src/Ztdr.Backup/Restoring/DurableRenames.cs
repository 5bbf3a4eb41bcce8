using Microsoft.Win32.SafeHandles;
using Ztdr.Backup.FileSystem;

namespace Ztdr.Backup.Restoring;

/// <summary>
/// Renames completed files to their real names in groups, after one syncfs(2) made the whole group durable: a file
/// under a real name is never torn after a crash, as with an fsync per file, but the disk's flush latency is paid once
/// per group rather than once per file (the difference between minutes and seconds for many small files). Files wait
/// under their temporary names until their group is flushed; <see cref="Abandon"/> removes those left when a restore
/// fails or is cancelled.
/// </summary>
internal sealed class DurableRenames : IDisposable
{
    /// <summary>Files per group: bounds what waits under a temporary name and the list held in memory.</summary>
    public const int MaxFiles = 512;

    /// <summary>Bytes per group: bounds how much written data one flush waits for.</summary>
    public const long MaxBytes = 256L * 1024 * 1024;

    private readonly Lock _lock = new();
    private readonly List<(byte[] Temp, byte[] Path)> _waiting = [];
    private readonly SafeFileHandle _fileSystem;
    private readonly byte[] _root;
    private readonly bool _replace;
    private readonly Action<int> _renamed;
    private long _waitingBytes;

    /// <param name="root">A folder on the file system the files are written to (the restore target).</param>
    /// <param name="replace">Whether a rename may replace an existing entry (--overwrite).</param>
    /// <param name="renamed">Told how many files got their real names, after each group.</param>
    public DurableRenames(byte[] root, bool replace, Action<int> renamed)
    {
        _root = root;
        _replace = replace;
        _renamed = renamed;
        _fileSystem = PosixWriter.OpenDirectory(root);
    }

    /// <summary>Queues a closed, complete file for its real name; flushes the group when it is full.</summary>
    public void Add(byte[] temp, byte[] path, long bytes)
    {
        lock (_lock)
        {
            _waiting.Add((temp, path));
            _waitingBytes += bytes;
            if (_waiting.Count >= MaxFiles || _waitingBytes >= MaxBytes)
            {
                FlushLocked();
            }
        }
    }

    /// <summary>Makes every queued file durable, then renames each to its real name.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            FlushLocked();
        }
    }

    /// <summary>Removes the temporary files still waiting (after a failure or cancel): none of them got a real name.</summary>
    public void Abandon()
    {
        lock (_lock)
        {
            foreach (var (temp, _) in _waiting)
            {
                PosixWriter.RemoveIfPresent(temp);
            }

            _waiting.Clear();
            _waitingBytes = 0;
        }
    }

    public void Dispose() => _fileSystem.Dispose();

    private void FlushLocked()
    {
        if (_waiting.Count == 0)
        {
            return;
        }

        PosixWriter.SyncFileSystem(_fileSystem, _root);
        var done = 0;
        try
        {
            foreach (var (temp, path) in _waiting)
            {
                PosixWriter.Rename(temp, path, _replace);
                done++;
            }
        }
        finally
        {
            // Renamed files leave the list; a failed rename leaves itself and the rest for Abandon.
            _waiting.RemoveRange(0, done);
            _waitingBytes = _waiting.Count == 0 ? 0 : _waitingBytes;
            _renamed(done);
        }
    }
}
