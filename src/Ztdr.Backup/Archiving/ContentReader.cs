using Ztdr.Backup.Chunking;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.FileSystem;

namespace Ztdr.Backup.Archiving;

/// <summary>
/// Reads one file into data blobs: chunks it in order on the calling reader, and saves each chunk on the thread pool
/// (id, dedupe, compress, seal, pack) once a chunk slot of the run is free, so one large file uses every core while the
/// chunks in flight, each a pooled copy of at most the maximum chunk size, stay bounded. The content list keeps file
/// order whatever order the saves finish in.
/// </summary>
internal sealed class ContentReader(Repository.Repository repository, FastCdcChunker chunker, BackupRun run)
{
    public async Task<(IReadOnlyList<BlobId> Content, long Size)> ReadAsync(byte[] path, CancellationToken cancellationToken)
    {
        var saves = new List<Task<BlobId>>();
        long size = 0;
        try
        {
            await using var stream = PosixReader.OpenRead(path);
            using var reader = new ChunkReader(stream, chunker, run.ReaderBuffers);
            await foreach (var chunk in reader.ReadAllAsync(cancellationToken))
            {
                await run.ChunkSlots.WaitAsync(cancellationToken);
                var copy = run.ChunkBuffers.Rent(chunk.Length);
                chunk.CopyTo(copy);
                var length = chunk.Length;

                // Not passed the token: a started save must run to release its slot and return its buffer.
                saves.Add(Task.Run(() => SaveAsync(copy, length, cancellationToken), CancellationToken.None));
                size += length;
                run.AddBytesRead(length);
            }

            return (await Task.WhenAll(saves), size);
        }
        catch
        {
            // Leave no save running on a buffer or slot after this file is given up.
            await Task.WhenAll((IEnumerable<Task>)saves).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
    }

    private async Task<BlobId> SaveAsync(byte[] buffer, int length, CancellationToken cancellationToken)
    {
        try
        {
            var (id, stored) = await repository.StoreBlobAsync(BlobType.Data, buffer.AsMemory(0, length), cancellationToken);
            run.CountBlob(stored, length);
            return id;
        }
        finally
        {
            run.ChunkBuffers.Return(buffer);
            run.ChunkSlots.Release();
        }
    }
}
