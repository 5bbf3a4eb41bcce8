using System.Buffers.Binary;
using Ztdr.Backup.Compression;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Packing;

/// <summary>
/// Reads packs (repository-format.md § 7): the trailer with ranged GETs of the last bytes, and single blobs by entry.
/// Everything is authenticated, and a blob's id is recomputed from its plaintext, so neither storage nor a writer that
/// sealed wrong content under an id can make a reader accept it.
/// </summary>
internal static class PackReader
{
    private const int TrailerLengthField = 4;
    private const int MinTrailerSealedLength = BlobCipher.Overhead + 1;

    /// <summary>Reads and authenticates the trailer of the pack stored as <paramref name="name"/>, <paramref name="packLength"/> bytes long.</summary>
    public static async Task<IReadOnlyList<PackEntry>> ReadTrailerAsync(
        IObjectStore store, string name, ObjectId packId, long packLength, RepositoryKeys keys, BlobCompressor compressor, CancellationToken cancellationToken = default)
    {
        CheckPackLength(packId, packLength);
        var lengthField = await ReadRangeAsync(store, name, new ByteRange(packLength - TrailerLengthField, TrailerLengthField), cancellationToken);
        var trailerLength = TrailerLength(packId, lengthField, packLength);
        var trailerStart = packLength - TrailerLengthField - trailerLength;
        var sealedTrailer = await ReadRangeAsync(store, name, new ByteRange(trailerStart, trailerLength), cancellationToken);
        return OpenTrailer(keys, compressor, packId, sealedTrailer, trailerStart);
    }

    /// <summary>Reads the trailer of a whole pack held in memory, checking its header too.</summary>
    public static IReadOnlyList<PackEntry> ReadTrailer(RepositoryKeys keys, BlobCompressor compressor, ObjectId packId, ReadOnlySpan<byte> pack)
    {
        CheckPackLength(packId, pack.Length);
        var header = ObjectHeader.Read(pack, ObjectType.Pack);
        if (header.Id != packId)
        {
            throw new RepositoryFormatException($"The pack stored as {packId} says it is {header.Id}: storage served it under another name.");
        }

        var trailerLength = TrailerLength(packId, pack[^TrailerLengthField..], pack.Length);
        var trailerStart = pack.Length - TrailerLengthField - trailerLength;
        return OpenTrailer(keys, compressor, packId, pack.Slice(trailerStart, trailerLength), trailerStart);
    }

    /// <summary>Fetches one blob by its entry with a ranged GET, authenticates it and checks its id.</summary>
    public static async Task<byte[]> LoadBlobAsync(
        IObjectStore store, string name, ObjectId packId, PackEntry entry, RepositoryKeys keys, BlobCompressor compressor, CancellationToken cancellationToken = default) =>
        (await LoadBlobUnitAsync(store, name, packId, entry, keys, compressor, cancellationToken)).Raw;

    /// <summary><see cref="LoadBlobAsync"/>, also returning the blob's compression unit as stored (see <see cref="OpenedBlob"/>).</summary>
    public static async Task<OpenedBlob> LoadBlobUnitAsync(
        IObjectStore store, string name, ObjectId packId, PackEntry entry, RepositoryKeys keys, BlobCompressor compressor, CancellationToken cancellationToken = default)
    {
        var sealedUnit = await ReadRangeAsync(store, name, new ByteRange(entry.Offset, entry.SealedLength), cancellationToken);
        if (sealedUnit.Length != entry.SealedLength)
        {
            throw new RepositoryFormatException($"Blob {entry.Id} in pack {packId} is truncated: {sealedUnit.Length} of {entry.SealedLength} bytes.");
        }

        return OpenBlobUnit(keys, compressor, packId, entry, sealedUnit);
    }

    /// <summary>Opens one sealed blob of pack <paramref name="packId"/>: authenticated, decompressed to its raw length, id re-checked.</summary>
    public static byte[] OpenBlob(RepositoryKeys keys, BlobCompressor compressor, ObjectId packId, PackEntry entry, ReadOnlySpan<byte> sealedUnit) =>
        OpenBlobUnit(keys, compressor, packId, entry, sealedUnit).Raw;

    /// <summary><see cref="OpenBlob"/>, also returning the compression unit it decompressed.</summary>
    public static OpenedBlob OpenBlobUnit(RepositoryKeys keys, BlobCompressor compressor, ObjectId packId, PackEntry entry, ReadOnlySpan<byte> sealedUnit)
    {
        CheckSealedLength(packId, entry, sealedUnit);
        var plain = new byte[UnitLength(sealedUnit)];
        var raw = new byte[entry.RawLength];
        OpenBlobInto(keys, compressor, packId, entry, sealedUnit, plain, raw);
        return new OpenedBlob(raw, plain);
    }

    /// <summary>The length of the compression unit a sealed blob of <paramref name="sealedUnit"/>'s length holds.</summary>
    public static int UnitLength(ReadOnlySpan<byte> sealedUnit) => Math.Max(0, sealedUnit.Length - BlobCipher.Overhead);

    /// <summary>
    /// <see cref="OpenBlob"/> into the caller's buffers, so a restore of many blobs can reuse pooled ones instead of
    /// allocating two large arrays per blob: the compression unit goes to the first <see cref="UnitLength"/> bytes of
    /// <paramref name="plain"/>, the raw bytes to the first <see cref="PackEntry.RawLength"/> bytes of
    /// <paramref name="raw"/>. The same checks as <see cref="OpenBlob"/>: authenticated, decompressed to exactly the raw
    /// length, id re-checked; on failure the buffers hold nothing to use.
    /// </summary>
    public static void OpenBlobInto(
        RepositoryKeys keys, BlobCompressor compressor, ObjectId packId, PackEntry entry, ReadOnlySpan<byte> sealedUnit, Span<byte> plain, Span<byte> raw)
    {
        CheckSealedLength(packId, entry, sealedUnit);
        plain = plain[..UnitLength(sealedUnit)];
        raw = raw[..(int)entry.RawLength];
        using (var cipher = keys.CreateObjectCipher(ObjectType.Pack, packId))
        {
            cipher.OpenBlob(entry.Type, entry.Id, sealedUnit, plain);
        }

        compressor.Decompress(plain, raw.Length, raw);

        // The tag proves who sealed it, not that the content hashes to the id: a buggy or hostile writer holding the
        // key could seal other bytes under an id, which would silently corrupt every snapshot deduplicating against it.
        if (keys.ChunkIdKey.ComputeId(raw) != entry.Id)
        {
            throw new CryptographicIntegrityException($"Blob {entry.Id} in pack {packId} decrypts to content with another id: it was written wrongly. Run 'ztdr verify'.");
        }
    }

    private static void CheckSealedLength(ObjectId packId, PackEntry entry, ReadOnlySpan<byte> sealedUnit)
    {
        if (sealedUnit.Length < MinTrailerSealedLength)
        {
            throw new RepositoryFormatException($"Blob {entry.Id} in pack {packId} is {sealedUnit.Length} bytes, shorter than a sealed unit.");
        }
    }

    private static List<PackEntry> OpenTrailer(RepositoryKeys keys, BlobCompressor compressor, ObjectId packId, ReadOnlySpan<byte> sealedTrailer, long trailerStart)
    {
        var plain = new byte[sealedTrailer.Length - BlobCipher.Overhead];
        using (var cipher = keys.CreateObjectCipher(ObjectType.Pack, packId))
        {
            cipher.OpenObjectUnit(SealedUnitKind.PackTrailer, packId, sealedTrailer, plain);
        }

        var body = compressor.DecompressBounded(plain, PackWriter.MaxBlobs * PackEntry.Length);
        return PackEntry.ReadAll(body, trailerStart);
    }

    private static void CheckPackLength(ObjectId packId, long packLength)
    {
        if (packLength < ObjectHeader.Length + MinTrailerSealedLength + TrailerLengthField || packLength > PackWriter.MaxPackLength)
        {
            throw new RepositoryFormatException($"Pack {packId} is {packLength} bytes: not a possible pack length.");
        }
    }

    private static int TrailerLength(ObjectId packId, ReadOnlySpan<byte> field, long packLength)
    {
        var length = BinaryPrimitives.ReadUInt32LittleEndian(field);
        if (length < MinTrailerSealedLength || length > packLength - ObjectHeader.Length - TrailerLengthField)
        {
            throw new RepositoryFormatException($"Pack {packId} claims a {length}-byte trailer in {packLength} bytes.");
        }

        return (int)length;
    }

    internal static async Task<byte[]> ReadRangeAsync(IObjectStore store, string name, ByteRange range, CancellationToken cancellationToken)
    {
        var buffer = new byte[range.Length];
        var read = await ReadRangeAsync(store, name, range, buffer, cancellationToken);
        return read == buffer.Length ? buffer : buffer[..read];
    }

    /// <summary>Reads <paramref name="range"/> into the start of <paramref name="destination"/>; returns the bytes read (fewer when the object is shorter).</summary>
    internal static async Task<int> ReadRangeAsync(IObjectStore store, string name, ByteRange range, Memory<byte> destination, CancellationToken cancellationToken)
    {
        await using var stream = await store.GetAsync(name, range, cancellationToken);
        return await stream.ReadAtLeastAsync(destination[..(int)range.Length], (int)range.Length, throwOnEndOfStream: false, cancellationToken);
    }
}

/// <summary>
/// A blob as loaded: its raw bytes, and the compression unit (flag || body, repository-format.md § 6) that was
/// authenticated and decompressed to exactly those bytes. Copy hands the unit to a target with the same compression
/// setting, which seals it as it is instead of compressing the raw bytes again.
/// </summary>
internal readonly record struct OpenedBlob(byte[] Raw, byte[] Unit);
