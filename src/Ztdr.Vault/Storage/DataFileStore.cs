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
    private const int CopyBufferSize = 1 << 20;
    private const int NoSpaceErrno = 28;
    private readonly VaultLayout _layout;

    public DataFileStore(VaultLayout layout)
    {
        _layout = layout;
    }

    /// <summary>Creates the folders and drops leftovers of uploads that were never acknowledged.</summary>
    public void Prepare()
    {
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        System.IO.Directory.CreateDirectory(_layout.ObjectsDirectory, mode);
        for (var i = 0; i < 256; i++)
        {
            System.IO.Directory.CreateDirectory(Path.Combine(_layout.ObjectsDirectory, i.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)), mode);
        }

        if (System.IO.Directory.Exists(_layout.StagingDirectory))
        {
            System.IO.Directory.Delete(_layout.StagingDirectory, recursive: true);
        }

        System.IO.Directory.CreateDirectory(_layout.StagingDirectory, mode);
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
            long size = 0;
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
                while ((read = await source.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken)) > 0)
                {
                    size += read;
                    if (size > maxBytes)
                    {
                        throw new S3Exception(S3Errors.EntityTooLarge);
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

    /// <summary>Bytes free on the data folder's filesystem (for capacity reports).</summary>
    public long AvailableBytes() => new DriveInfo(_layout.Root).AvailableFreeSpace;

    public long TotalBytes() => new DriveInfo(_layout.Root).TotalSize;

    private static bool IsNoSpace(IOException e) => (e.HResult & 0xFFFF) == NoSpaceErrno || e.Message.Contains("No space left", StringComparison.Ordinal);

    private static string NewFileId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

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
