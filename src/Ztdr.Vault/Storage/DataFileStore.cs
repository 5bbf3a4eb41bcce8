using System.Buffers;
using System.Security.Cryptography;
using Ztdr.S3.Errors;

namespace Ztdr.Vault.Storage;

/// <summary>A body written to the staging folder and fsynced, not yet visible to anyone.</summary>
public sealed record StagedFile(string FileId, string Path, long Size);

/// <summary>
/// Object bytes on disk. Guarantees: a staged file is fully written and fsynced before <see cref="StageAsync"/>
/// returns; a published file is renamed into place, made read-only and its directory fsynced before
/// <see cref="Publish"/> returns; a file is never modified after publication (new data always gets a new name).
/// </summary>
public sealed class DataFileStore
{
    /// <summary>
    /// Below the large-object heap's 85 000 bytes on purpose. A request body arrives a TLS record or socket read at a
    /// time (tens of KiB), so a bigger buffer only fills partly; but ArrayPool keeps every large array ever rented by
    /// each of up to 64 concurrent uploads and each thread, and those megabyte arrays made the vault's resident set
    /// grow under load for many minutes (docs/reliability.md, section 4). Small arrays stay in the compacting heap.
    /// </summary>
    private const int CopyBufferSize = 64 << 10;

    /// <summary>How many bytes may be staged between two checks of the free-space reserve.</summary>
    private const int ReserveCheckBytes = 1 << 20;
    private const int NoSpaceErrno = 28;
    private const long MinReserveBytes = 8L << 20;
    private const long MaxReserveBytes = 1L << 30;

    private readonly VaultLayout _layout;

    public DataFileStore(VaultLayout layout)
    {
        _layout = layout;
    }

    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates the folders (idempotent; touches no file, so it is safe next to a serving vault).</summary>
    public void Prepare()
    {
        System.IO.Directory.CreateDirectory(_layout.ObjectsDirectory, FolderMode);
        for (var i = 0; i < 256; i++)
        {
            System.IO.Directory.CreateDirectory(Path.Combine(_layout.ObjectsDirectory, i.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)), FolderMode);
        }

        System.IO.Directory.CreateDirectory(_layout.StagingDirectory, FolderMode);
    }

    /// <summary>
    /// Drops leftovers of uploads that were never acknowledged. Only for the one process owning the folder. Empties
    /// <c>tmp/</c> in place rather than deleting and recreating it: the folder may be a link an operator (or the
    /// power-loss rig, docs/reliability.md) set up onto the filesystem that holds <c>objects/</c>, and a recreated
    /// folder on another filesystem would turn every publish rename into an unsynced copy.
    /// </summary>
    public void ClearStaging()
    {
        System.IO.Directory.CreateDirectory(_layout.StagingDirectory, FolderMode);
        foreach (var entry in new DirectoryInfo(_layout.StagingDirectory).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo folder)
            {
                folder.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }
    }

    /// <summary>
    /// Streams <paramref name="source"/> into a new staging file and fsyncs it. Reads at most
    /// <paramref name="maxBytes"/>; a longer body is refused with EntityTooLarge and leaves nothing behind.
    /// </summary>
    public async Task<StagedFile> StageAsync(Stream source, long maxBytes, CancellationToken cancellationToken)
    {
        var fileId = NewFileId();
        var path = Path.Combine(_layout.StagingDirectory, fileId);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            RefuseWhenReserveReached();
            long size = 0;
            long sinceCheck = 0;
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
                Options = FileOptions.Asynchronous,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            await using (var file = new FileStream(path, options))
            {
                int read;
                // Filled before each write: a TLS record (16 KiB) per read made four writes, and four thread-pool
                // hops of the asynchronous file, per buffer; 12% of the vault's CPU during a backup was in those writes.
                while ((read = await source.ReadAtLeastAsync(buffer.AsMemory(0, CopyBufferSize), CopyBufferSize, throwOnEndOfStream: false, cancellationToken)) > 0)
                {
                    size += read;
                    if (size > maxBytes)
                    {
                        throw new S3Exception(S3Errors.EntityTooLarge);
                    }

                    sinceCheck += read;
                    if (sinceCheck >= ReserveCheckBytes)
                    {
                        sinceCheck = 0;
                        RefuseWhenReserveReached();
                    }

                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                file.Flush(flushToDisk: true);
            }

            return new StagedFile(fileId, path, size);
        }
        catch (IOException e) when (IsNoSpace(e))
        {
            TryDelete(path);
            throw new S3Exception(S3Errors.StorageFull, inner: e);
        }
        catch
        {
            TryDelete(path);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Moves a staged file to its permanent, read-only place and makes the rename durable.</summary>
    public Segment Publish(StagedFile staged, string partETag)
    {
        var target = _layout.ObjectPath(staged.FileId);
        File.SetUnixFileMode(staged.Path, UnixFileMode.UserRead);
        File.Move(staged.Path, target, overwrite: false);
        DurableFile.FlushDirectory(_layout.ObjectFolder(staged.FileId));
        return new Segment(staged.FileId, staged.Size, partETag);
    }

    public void Discard(StagedFile staged) => TryDelete(staged.Path);

    public FileStream OpenRead(string fileId) =>
        new(_layout.ObjectPath(fileId), new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read | FileShare.Delete,
            BufferSize = 0,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        });

    public bool Exists(string fileId) => File.Exists(_layout.ObjectPath(fileId));

    /// <summary>Removes a data file no metadata refers to any more. Only called after the metadata commit that dropped it.</summary>
    public void Delete(string fileId) => TryDelete(_layout.ObjectPath(fileId));

    /// <summary>
    /// Free space object bodies never use: it stays for the metadata store (its WAL grows before a checkpoint) and the
    /// audit log, so a vault whose disk fills with data still commits deletes and still audits every request.
    /// 1% of the filesystem, at least 8 MiB and at most 1 GiB.
    /// </summary>
    public long ReserveBytes() => Math.Clamp(TotalBytes() / 100, MinReserveBytes, MaxReserveBytes);

    /// <summary>
    /// Whether records caused by requests that proved no key may still be written: only while free space is above the
    /// last reserve plus as much again, a tier only authenticated work may use (docs/vault-storage.md, "Space tiers").
    /// An unsigned flood can therefore never take the room backups, deletes and their audit records need.
    /// </summary>
    public bool HasRoomForUnauthenticatedRecords() => AvailableBytes() >= 2 * ReserveBytes();

    /// <summary>
    /// Moves every file in objects/ that <paramref name="referencedFiles"/> does not name into quarantine/, never deleting
    /// one: a crash between publish and commit leaves such a file, but so does a lost or rolled-back metadata store, and
    /// from the file alone the two cannot be told apart. Both folders are fsynced before this returns. A file that cannot
    /// be moved stays where it is (scrub reports it as an orphan). Only for the one process owning the folder.
    /// </summary>
    public CrashLeftovers QuarantineUnreferenced(Func<IReadOnlySet<string>> referencedFiles)
    {
        var onDisk = new List<FileInfo>();
        DateTimeOffset? newest = null;
        foreach (var file in new DirectoryInfo(_layout.ObjectsDirectory).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            if (_layout.IsDataFilePath(file.FullName, out _))
            {
                onDisk.Add(file);
                var written = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero);
                newest = newest is null || written > newest ? written : newest;
            }
        }

        var referenced = referencedFiles();
        var unreferenced = onDisk.Where(f => !referenced.Contains(f.Name)).ToList();
        if (unreferenced.Count == 0)
        {
            return new CrashLeftovers([], newest);
        }

        if (!System.IO.Directory.Exists(_layout.QuarantineDirectory))
        {
            // The files are about to leave objects/ durably; the folder that receives them must outlive a power cut too.
            System.IO.Directory.CreateDirectory(_layout.QuarantineDirectory, FolderMode);
            DurableFile.FlushDirectory(_layout.Root);
        }

        var moved = new List<QuarantinedFile>();
        var folders = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in unreferenced)
        {
            var entry = new QuarantinedFile(file.Name, file.Length, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero));
            if (TryMove(file.FullName, _layout.QuarantinePath(file.Name)))
            {
                moved.Add(entry);
                folders.Add(_layout.ObjectFolder(file.Name));
            }
        }

        DurableFile.FlushDirectory(_layout.QuarantineDirectory);
        foreach (var folder in folders)
        {
            DurableFile.FlushDirectory(folder);
        }

        return new CrashLeftovers(moved, newest);
    }

    /// <summary>The files in quarantine/ (named as data files), oldest first.</summary>
    public IReadOnlyList<QuarantinedFile> ListQuarantine()
    {
        if (!System.IO.Directory.Exists(_layout.QuarantineDirectory))
        {
            return [];
        }

        return new DirectoryInfo(_layout.QuarantineDirectory).EnumerateFiles()
            .Where(f => VaultLayout.IsFileId(f.Name))
            .Select(f => new QuarantinedFile(f.Name, f.Length, new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero)))
            .OrderBy(f => f.LastWrite).ThenBy(f => f.FileId, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Opens a quarantined file for reading (recover hashes it before giving it a row).</summary>
    public FileStream OpenQuarantined(string fileId) => File.OpenRead(_layout.QuarantinePath(VaultLayout.IsFileId(fileId) ? fileId : throw new ArgumentException($"'{fileId}' is not a data file id", nameof(fileId))));

    /// <summary>
    /// Moves a quarantined file back into objects/ (publish, step 2 of the write protocol: durable before the row that
    /// names it is committed). Read-only again, as every published file.
    /// </summary>
    public void ReleaseFromQuarantine(string fileId)
    {
        if (!VaultLayout.IsFileId(fileId))
        {
            throw new ArgumentException($"'{fileId}' is not a data file id", nameof(fileId));
        }

        var source = _layout.QuarantinePath(fileId);
        File.SetUnixFileMode(source, UnixFileMode.UserRead);
        File.Move(source, _layout.ObjectPath(fileId), overwrite: false);
        DurableFile.FlushDirectory(_layout.ObjectFolder(fileId));
        DurableFile.FlushDirectory(_layout.QuarantineDirectory);
    }

    /// <summary>Bytes free on the data folder's filesystem (for capacity reports).</summary>
    public long AvailableBytes() => new DriveInfo(_layout.Root).AvailableFreeSpace;

    public long TotalBytes() => new DriveInfo(_layout.Root).TotalSize;

    /// <summary>ENOSPC as .NET reports it (HResult carries the errno on Unix).</summary>
    internal static bool IsNoSpace(IOException e) => (e.HResult & 0xFFFF) == NoSpaceErrno || e.Message.Contains("No space left", StringComparison.Ordinal);

    private void RefuseWhenReserveReached()
    {
        if (AvailableBytes() < ReserveBytes())
        {
            throw new S3Exception(S3Errors.StorageFull);
        }
    }

    private static string NewFileId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static bool TryMove(string from, string to)
    {
        try
        {
            File.Move(from, to, overwrite: false);
            return true;
        }
        catch (IOException)
        {
            // Left in objects/: never served (no row names it), and scrub lists it as an orphan, so it is not lost.
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Leftovers in staging are removed at the next start; an orphaned object file is reported by the scrubber.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above: never let cleanup hide the error that caused it.
        }
    }
}

/// <summary>What the startup sweep of <c>objects/</c> removed, or how many unreferenced files it refused to touch.</summary>
/// <summary>
/// What start-up recovery found: the files it moved to quarantine, and the newest data file's write time (secure clock
/// evidence).
/// </summary>
public sealed record CrashLeftovers(IReadOnlyList<QuarantinedFile> Quarantined, DateTimeOffset? NewestDataFile);

/// <summary>A data file in quarantine/: its id, size and write time (wall clock), all a data file tells about itself.</summary>
public sealed record QuarantinedFile(string FileId, long Size, DateTimeOffset LastWrite);
