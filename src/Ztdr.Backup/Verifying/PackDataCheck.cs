using System.Collections.Concurrent;
using System.Security.Cryptography;
using Ztdr.Backup.Compression;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Packing;
using Ztdr.Backup.Repository;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Verifying;

/// <summary>
/// <c>--read-data</c>: downloads packs whole, several at once, and authenticates every blob the index places in them
/// (AEAD tag, decompression to the recorded length, id recomputed from the plaintext), and checks that the pack's own
/// trailer lists exactly what the index lists. A whole download per pack, not a ranged GET per blob: the bytes are
/// needed anyway and one request per pack keeps the request count (and cost on S3) low.
/// </summary>
internal static class PackDataCheck
{
    /// <summary>Reads <paramref name="packs"/> (id and stored size); returns the packs read and the bytes downloaded.</summary>
    public static async Task<(int Packs, long Bytes)> CheckAsync(
        IObjectStore store,
        Repository.Repository repository,
        IReadOnlyList<(ObjectId Pack, long Size)> packs,
        FindingSet findings,
        VerifyOptions options,
        Action<long, long, long> progress,
        CancellationToken cancellationToken)
    {
        using var compressors = new CompressorPool(repository.Config.CompressionLevel);
        var results = new ConcurrentQueue<PackResult>();
        long done = 0;
        long bytes = 0;
        await Parallel.ForEachAsync(
            packs,
            new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = cancellationToken },
            async (pack, token) =>
            {
                var result = await CheckPackAsync(store, repository, compressors, pack.Pack, pack.Size, token);
                if (result.HasProblem && await repository.TryRepinPackAsync(pack.Pack, token))
                {
                    // An impostor over the pack (or a marker hiding it): the authentic version below is what restores
                    // read, so that is what is verified; the impostor is reported by the verifier as such.
                    result = await CheckPackAsync(store, repository, compressors, pack.Pack, repository.PinnedPackSize(pack.Pack) ?? pack.Size, token);
                }

                results.Enqueue(result);
                progress(Interlocked.Increment(ref done), packs.Count, Interlocked.Add(ref bytes, result.Bytes));
            });

        foreach (var result in results.OrderBy(r => r.Pack.ToString(), StringComparer.Ordinal))
        {
            Record(result, repository, findings);
        }

        return (packs.Count, bytes);
    }

    private static void Record(PackResult result, Repository.Repository repository, FindingSet findings)
    {
        var name = RepositoryObjectNames.Pack(result.Pack);
        if (result.Unreadable is { } unreadable)
        {
            findings.AttachPack(result.Pack, findings.Add(FindingKind.PackUnreadable, name, $"cannot be downloaded: {unreadable}"));
            return;
        }

        if (result.Damaged.Count > 0)
        {
            var total = repository.Index.Packs[result.Pack].Entries.Count;
            var (firstBlob, firstReason) = result.Damaged[0];
            var finding = findings.Add(
                FindingKind.BlobDamaged,
                name,
                $"{result.Damaged.Count} of {total} blobs fail authentication (data altered or damaged); first: blob {firstBlob}: {firstReason}");
            foreach (var (blob, _) in result.Damaged)
            {
                findings.AttachBlob(blob, result.Pack, finding);
            }
        }

        if (result.TrailerProblem is { } trailer)
        {
            // Restore reads through the index, so no file is lost; but the pack cannot be trusted to rebuild an index.
            findings.Add(FindingKind.PackTrailerMismatch, name, trailer);
        }
    }

    private static async Task<PackResult> CheckPackAsync(
        IObjectStore store, Repository.Repository repository, CompressorPool compressors, ObjectId packId, long size, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await DownloadAsync(store, RepositoryObjectNames.Pack(packId), size, cancellationToken);
        }
        catch (ObjectStoreException ex) when (ex.Kind is not StoreErrorKind.AccessDenied)
        {
            return new PackResult(packId, 0, ex.Message, [], null);
        }
        catch (RepositoryFormatException ex)
        {
            return new PackResult(packId, 0, ex.Message, [], null);
        }

        var entries = repository.Index.Packs[packId].Entries;
        var compressor = compressors.Rent();
        try
        {
            var trailerProblem = CheckTrailer(repository.Keys, compressor, packId, bytes, entries);
            var damaged = new List<(BlobId, string)>();
            foreach (var entry in entries)
            {
                if (entry.End > bytes.Length)
                {
                    damaged.Add((entry.Id, $"it lies past the pack's end ({bytes.Length} bytes)"));
                    continue;
                }

                try
                {
                    PackReader.OpenBlob(repository.Keys, compressor, packId, entry, bytes.AsSpan((int)entry.Offset, (int)entry.SealedLength));
                }
                catch (Exception ex) when (ex is CryptographicIntegrityException or RepositoryFormatException or CryptographicException)
                {
                    damaged.Add((entry.Id, ex.Message));
                }
            }

            return new PackResult(packId, bytes.Length, null, damaged, trailerProblem);
        }
        finally
        {
            compressors.Return(compressor);
        }
    }

    private static string? CheckTrailer(RepositoryKeys keys, BlobCompressor compressor, ObjectId packId, byte[] pack, IReadOnlyList<PackEntry> indexed)
    {
        IReadOnlyList<PackEntry> trailer;
        try
        {
            trailer = PackReader.ReadTrailer(keys, compressor, packId, pack);
        }
        catch (Exception ex) when (ex is CryptographicIntegrityException or RepositoryFormatException or CryptographicException)
        {
            return $"its trailer cannot be read ({ex.Message}); blobs are read through the index, which cannot be rebuilt from this pack";
        }

        var inTrailer = trailer.ToHashSet();
        var inIndex = indexed.ToHashSet();
        if (inTrailer.SetEquals(inIndex))
        {
            return null;
        }

        var onlyTrailer = inTrailer.Count(e => !inIndex.Contains(e));
        var onlyIndex = inIndex.Count(e => !inTrailer.Contains(e));
        return $"its trailer and the index disagree: {onlyIndex} entries only in the index, {onlyTrailer} only in the trailer";
    }

    /// <summary>
    /// The object's <paramref name="size"/> listed bytes, refusing to hold more than the largest possible pack.
    /// </summary>
    /// <remarks>
    /// A ranged GET, not a plain one: on a whole-object GET the AWS SDK checks the stored CRC when the stream is
    /// disposed and fails the whole pack on one flipped byte, while the AEAD check below is stronger and tells which
    /// blobs (and so which files) are damaged. A pack longer than listed loses its trailer to the range and is reported.
    /// </remarks>
    private static async Task<byte[]> DownloadAsync(IObjectStore store, string name, long size, CancellationToken cancellationToken)
    {
        if (size > PackWriter.MaxPackLength)
        {
            throw new RepositoryFormatException($"Pack {name} is {size} bytes, larger than any pack can be ({PackWriter.MaxPackLength} bytes).");
        }

        await using var stream = await store.GetAsync(name, new ByteRange(0, size), cancellationToken);
        using var buffer = new MemoryStream((int)Math.Clamp(size, 0, PackWriter.MaxPackLength));
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > PackWriter.MaxPackLength)
            {
                throw new RepositoryFormatException($"Pack {name} is larger than any pack can be ({PackWriter.MaxPackLength} bytes).");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
    }

    private sealed record PackResult(ObjectId Pack, long Bytes, string? Unreadable, IReadOnlyList<(BlobId Blob, string Reason)> Damaged, string? TrailerProblem)
    {
        public bool HasProblem => Unreadable is not null || Damaged.Count > 0 || TrailerProblem is not null;
    }
}
