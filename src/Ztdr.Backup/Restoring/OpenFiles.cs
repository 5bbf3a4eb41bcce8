using Microsoft.Win32.SafeHandles;
using Ztdr.Backup.FileSystem;

namespace Ztdr.Backup.Restoring;

/// <summary>
/// The handles of the files a restore is writing, at most <c>capacity</c> open (plus one per concurrent writer when
/// all are in use). Files are written pack by pack, so a file whose blobs sit in several packs stays partly written
/// for a while; its handle stays open for the next blob unless room is needed, when the least recently used idle
/// handle is closed and the file later reopened by its temporary path. Thread-safe: pack workers acquire, write and
/// release concurrently, also the same file (pwrite at distinct offsets).
/// </summary>
internal sealed class OpenFiles(int capacity, Func<byte[], byte[]> tempPath)
{
    /// <summary>Open handles kept at most: far below the usual 1024 descriptors per process.</summary>
    public const int DefaultCapacity = 256;

    private readonly Lock _gate = new();
    private readonly LinkedList<RestoringFile> _idle = [];
    private int _open;

    /// <summary>
    /// The file's handle, creating the file on its first use (under a new temporary name in its folder); pair with
    /// <see cref="Release"/>.
    /// </summary>
    public SafeFileHandle Acquire(RestoringFile file)
    {
        lock (file.Opening)
        {
            List<SafeFileHandle>? evicted = null;
            lock (_gate)
            {
                if (file.Handle is { } open)
                {
                    file.Users++;
                    if (file.Idle is { } node)
                    {
                        _idle.Remove(node);
                        file.Idle = null;
                    }

                    return open;
                }

                _open++;
                while (_open > capacity && _idle.First is { } oldest)
                {
                    _idle.RemoveFirst();
                    oldest.Value.Idle = null;
                    (evicted ??= []).Add(oldest.Value.Handle!);
                    oldest.Value.Handle = null;
                    _open--;
                }
            }

            // Closed and opened outside the lock, so other writers are not held up by system calls. An evicted file
            // had no writer, and one that wants it now finds no handle and reopens it: its written bytes are in the
            // page cache either way.
            evicted?.ForEach(handle => handle.Dispose());
            SafeFileHandle opened;
            try
            {
                opened = file.Created ? PosixWriter.OpenForWriting(file.Temp) : Create(file);
            }
            catch
            {
                lock (_gate)
                {
                    _open--;
                }

                throw;
            }

            lock (_gate)
            {
                file.Handle = opened;
                file.Users = 1;
            }

            return opened;
        }
    }

    /// <summary>
    /// Gives back a handle from <see cref="Acquire"/>. When <paramref name="wrote"/> and that was the file's last blob
    /// use, returns its handle, now the caller's alone, to finish the file; otherwise null.
    /// </summary>
    public SafeFileHandle? Release(RestoringFile file, bool wrote)
    {
        lock (_gate)
        {
            file.Users--;
            if (wrote && --file.BlobsLeft == 0)
            {
                // Every use releases under this lock before the count reaches zero: no other writer holds it.
                var handle = file.Handle!;
                file.Handle = null;
                _open--;
                return handle;
            }

            if (file.Users == 0)
            {
                file.Idle = _idle.AddLast(file);
            }

            return null;
        }
    }

    /// <summary>Creates the file under a new temporary name in its folder; the caller holds its <c>Opening</c> lock.</summary>
    public SafeFileHandle Create(RestoringFile file)
    {
        file.Temp = tempPath(file.Entry.Folder);
        var handle = PosixWriter.CreateNewFile(file.Temp);
        file.Created = true;
        return handle;
    }
}
