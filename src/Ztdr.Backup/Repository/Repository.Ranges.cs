using Ztdr.Backup.Crypto;
using Ztdr.Backup.Index;
using Ztdr.Backup.Packing;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Repository;

/// <content>
/// Reading several neighbouring blobs of a pack with one request (restore by pack): where a blob is, one ranged
/// read of a pack, and opening a sealed blob cut from such a read — authenticated and id-checked like
/// <see cref="LoadBlobAsync"/>. Thread-safe while nothing is being saved.
/// </content>
public sealed partial class Repository
{
    /// <summary>Where an indexed blob is stored; false when no index lists it.</summary>
    internal bool TryLocate(BlobId id, out BlobLocation location)
    {
        lock (_gate)
        {
            return _index.TryGet(id, out location);
        }
    }

    /// <summary>The bytes <paramref name="range"/> of pack <paramref name="packId"/>, in one request.</summary>
    internal async Task<byte[]> ReadPackRangeAsync(ObjectId packId, ByteRange range, CancellationToken cancellationToken)
    {
        var bytes = new byte[range.Length];
        await ReadPackRangeAsync(packId, range, bytes, cancellationToken);
        return bytes;
    }

    /// <summary>
    /// <see cref="ReadPackRangeAsync(ObjectId, ByteRange, CancellationToken)"/> into the start of the caller's
    /// <paramref name="destination"/> (a pooled buffer: a restore reads gigabytes in windows of megabytes).
    /// </summary>
    internal async Task ReadPackRangeAsync(ObjectId packId, ByteRange range, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var read = await PackReader.ReadRangeAsync(_store, RepositoryObjectNames.Pack(packId), range, destination, cancellationToken);
        if (read != range.Length)
        {
            throw new RepositoryFormatException($"Pack {packId} is truncated: {read} of {range.Length} bytes at offset {range.Offset}.");
        }
    }

    /// <summary>
    /// Opens the sealed blob at <paramref name="location"/> from its bytes into the caller's buffers with
    /// <paramref name="packCipher"/>, its pack's cipher (see <see cref="PackReader.OpenBlob(RepositoryKeys, BlobCipher, Compression.BlobCompressor, ObjectId, PackEntry, ReadOnlySpan{byte}, Span{byte}, Span{byte})"/>):
    /// authenticated, decompressed, id re-checked.
    /// </summary>
    internal void OpenBlobInto(BlobLocation location, BlobCipher packCipher, ReadOnlySpan<byte> sealedUnit, Span<byte> plain, Span<byte> raw)
    {
        var compressor = _compressors.Rent();
        try
        {
            PackReader.OpenBlob(_keys, packCipher, compressor, location.PackId, location.Entry, sealedUnit, plain, raw);
        }
        finally
        {
            _compressors.Return(compressor);
        }
    }
}
