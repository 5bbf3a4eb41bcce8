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
/// needed anyway and one request per pack keeps the request count (and cost on S3) low. Each pack is checked as it
/// streams in (<see cref="PackWindow"/>), so a worker holds about one blob rather than a whole pack (issue 14).
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
        using var workers = new Workers(repository.Config.CompressionLevel);
        var results = new ConcurrentQueue<PackResult>();
        long done = 0;
        long bytes = 0;
        await Parallel.ForEachAsync(
            packs,
            new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = cancellationToken },
            async (pack, token) =>
            {
                var result = await CheckPackAsync(store, repository, workers, pack.Pack, pack.Size, token);
                if (result.HasProblem && await repository.TryRepinPackAsync(pack.Pack, token))
                {
                    // An impostor over the pack (or a marker hiding it): the authentic version below is what restores
                    // read, so that is what is verified; the impostor is reported by the verifier as such.
                    result = await CheckPackAsync(store, repository, workers, pack.Pack, repository.PinnedPackSize(pack.Pack) ?? pack.Size, token);
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
        IObjectStore store, Repository.Repository repository, Workers workers, ObjectId packId, long size, CancellationToken cancellationToken)
    {
        var name = RepositoryObjectNames.Pack(packId);
        if (size > PackWriter.MaxPackLength)
        {
            return new PackResult(packId, 0, $"Pack {name} is {size} bytes, larger than any pack can be ({PackWriter.MaxPackLength} bytes).", [], null);
        }

        var (window, compressor) = workers.Rent();
        try
        {
            // A ranged GET, not a plain one: on a whole-object GET the AWS SDK checks the stored CRC when the stream is
            // disposed and fails the whole pack on one flipped byte, while the AEAD check is stronger and tells which
            // blobs (and so which files) are damaged. A pack longer than listed loses its trailer to the range and is reported.
            await using var stream = await store.GetAsync(name, new ByteRange(0, size), cancellationToken);
            window.Begin(stream, name);
            return await ReadPackAsync(store, repository, workers, window, compressor, packId, name, cancellationToken);
        }
        catch (ObjectStoreException ex) when (ex.Kind is not StoreErrorKind.AccessDenied)
        {
            return new PackResult(packId, 0, ex.Message, [], null);
        }
        catch (RepositoryFormatException ex)
        {
            // Only the window throws it out of ReadPackAsync: a stream longer than any pack.
            return new PackResult(packId, 0, ex.Message, [], null);
        }
        finally
        {
            window.End();
            workers.Return(window, compressor);
        }
    }

    /// <summary>
    /// Checks a pack as its bytes arrive: its header, then every blob the index places in it in offset order, then the
    /// trailer at its end. Each blob is opened in place in the window (its bytes are not needed again) unless the next
    /// blob overlaps it, which only a damaged index does.
    /// </summary>
    private static async Task<PackResult> ReadPackAsync(
        IObjectStore store, Repository.Repository repository, Workers workers, PackWindow window, BlobCompressor compressor, ObjectId packId, string name, CancellationToken cancellationToken)
    {
        await window.FillAsync(0, ObjectHeader.Length, cancellationToken);
        var head = window.Span(0, (int)Math.Min(window.Position, ObjectHeader.Length)).ToArray();

        var entries = repository.Index.Packs[packId].Entries;
        var order = Enumerable.Range(0, entries.Count).OrderBy(i => entries[i].Offset).ToArray();
        var problems = new string?[entries.Count];
        long indexedEnd = 0;
        using (var cipher = repository.Keys.CreateObjectCipher(ObjectType.Pack, packId))
        {
            for (var k = 0; k < order.Length; k++)
            {
                var entry = entries[order[k]];
                indexedEnd = Math.Max(indexedEnd, entry.End);
                if (!await window.FillAsync(entry.Offset, entry.End, cancellationToken))
                {
                    problems[order[k]] = $"it lies past the pack's end ({window.Position} bytes)";
                    continue;
                }

                var inPlace = k == order.Length - 1 || entry.End <= entries[order[k + 1]].Offset;
                problems[order[k]] = OpenBlob(repository.Keys, cipher, compressor, workers, packId, entry, window.Span(entry.Offset, (int)entry.SealedLength), inPlace);
            }
        }

        // The trailer follows the last blob; everything from there on is kept. Blobs were opened in place only below it.
        await window.FillAsync(Math.Max(window.Start, Math.Min(indexedEnd, window.Position)), long.MaxValue, cancellationToken);
        var trailerProblem = await CheckTrailerAsync(store, repository.Keys, compressor, window, packId, name, head, entries, indexedEnd, cancellationToken);
        var damaged = new List<(BlobId, string)>();
        for (var i = 0; i < entries.Count; i++)
        {
            if (problems[i] is { } problem)
            {
                damaged.Add((entries[i].Id, problem));
            }
        }

        return new PackResult(packId, window.Position, null, damaged, trailerProblem);
    }

    /// <summary>Opens one blob through <see cref="PackReader.OpenBlob(RepositoryKeys, BlobCipher, BlobCompressor, ObjectId, PackEntry, ReadOnlySpan{byte}, Span{byte}, Span{byte})"/>; returns why it fails, or null.</summary>
    private static string? OpenBlob(
        RepositoryKeys keys, BlobCipher cipher, BlobCompressor compressor, Workers workers, ObjectId packId, PackEntry entry, Span<byte> sealedUnit, bool inPlace)
    {
        // The raw bytes are only hashed: scratch shared by the workers, held while this (synchronous) call runs.
        var raw = workers.RentScratch((int)Math.Min(entry.RawLength, BlobCompressor.MaxRawLength));
        var plainLength = Math.Max(0, sealedUnit.Length - BlobCipher.Overhead);
        var copy = inPlace ? null : workers.RentScratch(plainLength);
        try
        {
            Span<byte> plain = copy is not null ? copy : sealedUnit.Slice(Math.Min(BlobCipher.NonceLength, sealedUnit.Length), plainLength);
            PackReader.OpenBlob(keys, cipher, compressor, packId, entry, sealedUnit, plain, raw);
            return null;
        }
        catch (Exception ex) when (ex is CryptographicIntegrityException or RepositoryFormatException or CryptographicException)
        {
            return ex.Message;
        }
        finally
        {
            workers.ReturnScratch(raw);
            if (copy is not null)
            {
                workers.ReturnScratch(copy);
            }
        }
    }

    /// <summary>
    /// The checks of <see cref="PackReader.ReadTrailer(RepositoryKeys, BlobCompressor, ObjectId, ReadOnlySpan{byte})"/>
    /// on a pack that was streamed: the trailer from the window when it lies past every indexed blob (as in every pack
    /// whose index is right), otherwise fetched again with a ranged GET, since blobs opened in place changed the bytes.
    /// </summary>
    private static async Task<string?> CheckTrailerAsync(
        IObjectStore store, RepositoryKeys keys, BlobCompressor compressor, PackWindow window, ObjectId packId, string name, byte[] head,
        IReadOnlyList<PackEntry> indexed, long indexedEnd, CancellationToken cancellationToken)
    {
        var length = window.Position;
        IReadOnlyList<PackEntry> trailer;
        try
        {
            PackReader.CheckLengthAndHeader(packId, length, head);
            var lengthField = await UnchangedBytesAsync(length - PackReader.TrailerLengthField, PackReader.TrailerLengthField);
            var (trailerStart, trailerLength) = PackReader.LocateTrailer(packId, lengthField.Span, length);
            var sealedTrailer = await UnchangedBytesAsync(trailerStart, trailerLength);
            trailer = PackReader.OpenTrailer(keys, compressor, packId, sealedTrailer.Span, trailerStart);
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

        async Task<ReadOnlyMemory<byte>> UnchangedBytesAsync(long offset, int count)
        {
            if (offset >= indexedEnd && window.Holds(offset, count))
            {
                return window.Memory(offset, count);
            }

            var fetched = await PackReader.ReadRangeAsync(store, name, new ByteRange(offset, count), cancellationToken);
            return fetched.Length == count
                ? fetched
                : throw new RepositoryFormatException($"Pack {name} changed while it was read: {fetched.Length} of {count} bytes at {offset}.");
        }
    }

    private sealed record PackResult(ObjectId Pack, long Bytes, string? Unreadable, IReadOnlyList<(BlobId Blob, string Reason)> Damaged, string? TrailerProblem)
    {
        public bool HasProblem => Unreadable is not null || Damaged.Count > 0 || TrailerProblem is not null;
    }

    /// <summary>
    /// What the workers reuse from pack to pack: a window and a compressor each while a pack is checked, and scratch for
    /// raw bytes only while a blob is opened. Blobs are opened synchronously, so scratch is held by as many workers as
    /// run on a CPU at once, not by every download in flight; unlike <see cref="System.Buffers.ArrayPool{T}.Shared"/>
    /// it keeps no array per thread and per size, and each array grows to the largest blob and stays.
    /// </summary>
    private sealed class Workers(int compressionLevel) : IDisposable
    {
        /// <summary>Scratch grows in these steps, so blobs of slowly rising sizes do not reallocate it each time.</summary>
        private const int ScratchStep = 1024 * 1024;

        private readonly CompressorPool _compressors = new(compressionLevel);
        private readonly ConcurrentBag<PackWindow> _windows = [];
        private readonly ConcurrentBag<byte[]> _scratch = [];

        public (PackWindow Window, BlobCompressor Compressor) Rent() =>
            (_windows.TryTake(out var window) ? window : new PackWindow(), _compressors.Rent());

        public void Return(PackWindow window, BlobCompressor compressor)
        {
            _windows.Add(window);
            _compressors.Return(compressor);
        }

        public byte[] RentScratch(int length)
        {
            if (_scratch.TryTake(out var scratch) && scratch.Length >= length)
            {
                return scratch;
            }

            // None free, or one too small: that one is let go, and the larger one takes its place from now on.
            return new byte[Math.Max(ScratchStep, ((long)length + ScratchStep - 1) / ScratchStep * ScratchStep)];
        }

        public void ReturnScratch(byte[] scratch) => _scratch.Add(scratch);

        public void Dispose() => _compressors.Dispose();
    }
}
