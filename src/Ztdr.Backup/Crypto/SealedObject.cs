using Ztdr.Backup.Compression;

namespace Ztdr.Backup.Crypto;

/// <summary>
/// Objects with one body — config, index, snapshot, forgotten, retention (repository-format.md § 5, § 8, § 9):
/// header (40) || sealed unit of kind ObjectBody whose plaintext is flag || body. Packs have many units and a trailer;
/// they are written by Packing/.
/// </summary>
internal static class SealedObject
{
    public static byte[] Seal(RepositoryKeys keys, BlobCompressor compressor, ObjectType type, ObjectId id, ReadOnlySpan<byte> body) =>
        Seal(keys, compressor, type, id, body, nonce: null);

    /// <summary>Seals with a given nonce. Only golden tests choose nonces.</summary>
    internal static byte[] Seal(RepositoryKeys keys, BlobCompressor compressor, ObjectType type, ObjectId id, ReadOnlySpan<byte> body, byte[]? nonce)
    {
        if (type == ObjectType.Pack)
        {
            throw new ArgumentException("Packs hold many units and a trailer; they are not single-body objects.", nameof(type));
        }

        var plain = new byte[BlobCompressor.MaxCompressedLength(body.Length)];
        var plainLength = compressor.Compress(body, plain);
        var result = new byte[ObjectHeader.Length + BlobCipher.SealedLength(plainLength)];
        new ObjectHeader(type, id).WriteTo(result);
        using var cipher = keys.CreateObjectCipher(type, id);
        Span<byte> idBytes = stackalloc byte[ObjectId.Length];
        id.WriteTo(idBytes);
        var unit = result.AsSpan(ObjectHeader.Length);
        if (nonce is null)
        {
            cipher.Seal(SealedUnitKind.ObjectBody, idBytes, plain.AsSpan(0, plainLength), unit);
        }
        else
        {
            cipher.Seal(SealedUnitKind.ObjectBody, idBytes, plain.AsSpan(0, plainLength), nonce, unit);
        }

        return result;
    }

    /// <summary>
    /// Opens an object read under the name <paramref name="expectedId"/>; rejects one whose header names another id
    /// (storage serving a valid object under the wrong name). Bodies are capped at <paramref name="maxBodyLength"/>.
    /// </summary>
    public static byte[] Open(RepositoryKeys keys, BlobCompressor compressor, ObjectType type, ObjectId expectedId, ReadOnlySpan<byte> sealedObject, int maxBodyLength = BlobCompressor.MaxRawLength)
    {
        var header = ObjectHeader.Read(sealedObject, type);
        if (header.Id != expectedId)
        {
            throw new RepositoryFormatException($"The object stored as {expectedId} says it is {header.Id}: storage served it under another name.");
        }

        var unit = sealedObject[ObjectHeader.Length..];
        if (unit.Length < BlobCipher.Overhead + 1)
        {
            throw new RepositoryFormatException($"The {type} object {expectedId} is truncated.");
        }

        var plain = new byte[unit.Length - BlobCipher.Overhead];
        using var cipher = keys.CreateObjectCipher(type, header.Id);
        cipher.OpenObjectUnit(SealedUnitKind.ObjectBody, header.Id, unit, plain);
        return compressor.DecompressBounded(plain, maxBodyLength);
    }
}
