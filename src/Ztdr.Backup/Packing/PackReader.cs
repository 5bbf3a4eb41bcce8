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
    /// <summary>The field at a pack's end that gives its trailer's sealed length (little-endian).</summary>
    public const int TrailerLengthField = 4;

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
        CheckLengthAndHeader(packId, pack.Length, pack);
        var (trailerStart, trailerLength) = LocateTrailer(packId, pack[^TrailerLengthField..], pack.Length);
        return OpenTrailer(keys, compressor, packId, pack.Slice((int)trailerStart, trailerLength), trailerStart);
    }

    /// <summary>
    /// The checks of <see cref="ReadTrailer(RepositoryKeys, BlobCompressor, ObjectId, ReadOnlySpan{byte})"/> for a pack
    /// read as a stream and not held whole, in the same order: first its length and <paramref name="head"/> (its first
    /// bytes, at least the header's), then <see cref="LocateTrailer"/> and <see cref="OpenTrailer"/>.
    /// </summary>
    public static void CheckLengthAndHeader(ObjectId packId, long packLength, ReadOnlySpan<byte> head)
    {
        CheckPackLength(packId, packLength);
        CheckHeader(packId, head);
    }

    /// <summary>Where the sealed trailer of a <paramref name="packLength"/>-byte pack lies, from its last four bytes.</summary>
    public static (long Start, int Length) LocateTrailer(ObjectId packId, ReadOnlySpan<byte> lengthField, long packLength)
    {
        var trailerLength = TrailerLength(packId, lengthField, packLength);
        return (packLength - TrailerLengthField - trailerLength, trailerLength);
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

    /// <summary><see cref="OpenBlob(RepositoryKeys, BlobCompressor, ObjectId, PackEntry, ReadOnlySpan{byte})"/>, also returning the compression unit it decompressed.</summary>
    public static OpenedBlob OpenBlobUnit(RepositoryKeys keys, BlobCompressor compressor, ObjectId packId, PackEntry entry, ReadOnlySpan<byte> sealedUnit)
    {
        CheckSealedLength(packId, entry, sealedUnit);
        var plain = new byte[sealedUnit.Length - BlobCipher.Overhead];
        using (var cipher = keys.CreateObjectCipher(ObjectType.Pack, packId))
        {
            cipher.OpenBlob(entry.Type, entry.Id, sealedUnit, plain);
        }

        // Allocated only once the unit authenticates: a damaged entry's raw length is not trusted with memory.
        var raw = new byte[entry.RawLength];
        DecompressAndCheckId(keys, compressor, packId, entry, plain, raw);
        return new OpenedBlob(raw, plain);
    }

    /// <summary>
    /// <see cref="OpenBlobUnit"/> into buffers the caller owns and reuses: authenticated with
    /// <paramref name="packCipher"/> (the cipher of pack <paramref name="packId"/>) into <paramref name="plain"/> (at
    /// least sealed length − <see cref="BlobCipher.Overhead"/> bytes; it may be the ciphertext's own bytes inside
    /// <paramref name="sealedUnit"/>, opened in place), decompressed to exactly its raw length into
    /// <paramref name="raw"/> (at least <see cref="PackEntry.RawLength"/> bytes), id re-checked.
    /// </summary>
    public static void OpenBlob(
        RepositoryKeys keys, BlobCipher packCipher, BlobCompressor compressor, ObjectId packId, PackEntry entry, ReadOnlySpan<byte> sealedUnit, Span<byte> plain, Span<byte> raw)
    {
        CheckSealedLength(packId, entry, sealedUnit);
        var plainLength = packCipher.OpenBlob(entry.Type, entry.Id, sealedUnit, plain);
        DecompressAndCheckId(keys, compressor, packId, entry, plain[..plainLength], raw);
    }

    /// <summary>The length of the compression unit a sealed blob of <paramref name="sealedUnit"/>'s length holds.</summary>
    public static int UnitLength(ReadOnlySpan<byte> sealedUnit) => Math.Max(0, sealedUnit.Length - BlobCipher.Overhead);

    private static void DecompressAndCheckId(RepositoryKeys keys, BlobCompressor compressor, ObjectId packId, PackEntry entry, ReadOnlySpan<byte> plain, Span<byte> raw)
    {
        var rawLength = compressor.Decompress(plain, (int)entry.RawLength, raw);

        // The tag proves who sealed it, not that the content hashes to the id: a buggy or hostile writer holding the
        // key could seal other bytes under an id, which would silently corrupt every snapshot deduplicating against it.
        if (keys.ChunkIdKey.ComputeId(raw[..rawLength]) != entry.Id)
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

    /// <summary>Authenticates and parses a pack's sealed trailer, which starts at <paramref name="trailerStart"/>.</summary>
    public static List<PackEntry> OpenTrailer(RepositoryKeys keys, BlobCompressor compressor, ObjectId packId, ReadOnlySpan<byte> sealedTrailer, long trailerStart)
    {
        var plain = new byte[sealedTrailer.Length - BlobCipher.Overhead];
        using (var cipher = keys.CreateObjectCipher(ObjectType.Pack, packId))
        {
            cipher.OpenObjectUnit(SealedUnitKind.PackTrailer, packId, sealedTrailer, plain);
        }

        var body = compressor.DecompressBounded(plain, PackWriter.MaxBlobs * PackEntry.Length);
        return PackEntry.ReadAll(body, trailerStart);
    }

    private static void CheckHeader(ObjectId packId, ReadOnlySpan<byte> head)
    {
        var header = ObjectHeader.Read(head, ObjectType.Pack);
        if (header.Id != packId)
        {
            throw new RepositoryFormatException($"The pack stored as {packId} says it is {header.Id}: storage served it under another name.");
        }
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
