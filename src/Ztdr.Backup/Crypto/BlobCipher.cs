using System.Security.Cryptography;

namespace Ztdr.Backup.Crypto;

/// <summary>
/// Seals and opens the units of one object with AES-256-GCM (repository-format.md § 5.2):
/// sealed = nonce (12, random) || ciphertext || tag (16), AAD = kind (1) || id (32).
/// The AAD binds a blob to its id and type, so storage cannot present one blob as another. Not thread-safe.
/// </summary>
internal sealed class BlobCipher : IDisposable
{
    public const int NonceLength = 12;
    public const int TagLength = 16;
    public const int Overhead = NonceLength + TagLength;
    private const int AssociatedDataLength = 1 + 32;

    private readonly AesGcm _aes;

    public BlobCipher(ReadOnlySpan<byte> key)
    {
        if (key.Length != RepositoryKeys.KeyLength)
        {
            throw new ArgumentException($"An object key is {RepositoryKeys.KeyLength} bytes, not {key.Length}.", nameof(key));
        }

        _aes = new AesGcm(key, TagLength);
    }

    public static int SealedLength(int plaintextLength) => plaintextLength + Overhead;

    public int SealBlob(BlobType type, BlobId id, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        Span<byte> idBytes = stackalloc byte[BlobId.Length];
        id.WriteTo(idBytes);
        return Seal(KindOf(type), idBytes, plaintext, destination);
    }

    public int OpenBlob(BlobType type, BlobId id, ReadOnlySpan<byte> sealedUnit, Span<byte> destination)
    {
        Span<byte> idBytes = stackalloc byte[BlobId.Length];
        id.WriteTo(idBytes);
        return Open(KindOf(type), idBytes, sealedUnit, destination);
    }

    /// <summary>Seals a pack trailer or an object body; <paramref name="objectId"/> is the id of the object it lives in.</summary>
    public int SealObjectUnit(SealedUnitKind kind, ObjectId objectId, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        Span<byte> idBytes = stackalloc byte[ObjectId.Length];
        objectId.WriteTo(idBytes);
        return Seal(kind, idBytes, plaintext, destination);
    }

    public int OpenObjectUnit(SealedUnitKind kind, ObjectId objectId, ReadOnlySpan<byte> sealedUnit, Span<byte> destination)
    {
        Span<byte> idBytes = stackalloc byte[ObjectId.Length];
        objectId.WriteTo(idBytes);
        return Open(kind, idBytes, sealedUnit, destination);
    }

    /// <summary>Seals with a fresh random nonce; returns the sealed length written to <paramref name="destination"/>.</summary>
    public int Seal(SealedUnitKind kind, ReadOnlySpan<byte> id, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        RandomNumberGenerator.Fill(nonce);
        return Seal(kind, id, plaintext, nonce, destination);
    }

    /// <summary>Seals with a given nonce. Only golden tests choose nonces; production code uses the random overload.</summary>
    internal int Seal(SealedUnitKind kind, ReadOnlySpan<byte> id, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> nonce, Span<byte> destination)
    {
        var sealedLength = SealedLength(plaintext.Length);
        if (destination.Length < sealedLength)
        {
            throw new ArgumentException($"Sealing {plaintext.Length} bytes needs {sealedLength} bytes of destination.", nameof(destination));
        }

        Span<byte> associatedData = stackalloc byte[AssociatedDataLength];
        WriteAssociatedData(kind, id, associatedData);
        nonce.CopyTo(destination);
        _aes.Encrypt(
            nonce,
            plaintext,
            destination.Slice(NonceLength, plaintext.Length),
            destination.Slice(NonceLength + plaintext.Length, TagLength),
            associatedData);
        return sealedLength;
    }

    /// <summary>Opens a sealed unit; returns the plaintext length written to <paramref name="destination"/>.</summary>
    public int Open(SealedUnitKind kind, ReadOnlySpan<byte> id, ReadOnlySpan<byte> sealedUnit, Span<byte> destination)
    {
        if (sealedUnit.Length < Overhead)
        {
            throw new RepositoryFormatException($"A sealed unit of {sealedUnit.Length} bytes is shorter than its {Overhead}-byte nonce and tag.");
        }

        var plaintextLength = sealedUnit.Length - Overhead;
        if (destination.Length < plaintextLength)
        {
            throw new ArgumentException($"Opening needs {plaintextLength} bytes of destination.", nameof(destination));
        }

        Span<byte> associatedData = stackalloc byte[AssociatedDataLength];
        WriteAssociatedData(kind, id, associatedData);
        try
        {
            _aes.Decrypt(
                sealedUnit[..NonceLength],
                sealedUnit.Slice(NonceLength, plaintextLength),
                sealedUnit[(NonceLength + plaintextLength)..],
                destination[..plaintextLength],
                associatedData);
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new CryptographicIntegrityException(
                $"A {kind} failed authentication: the repository key is wrong, or the data was changed or moved in storage. Run 'ztdr verify' to list what is damaged.",
                ex);
        }

        return plaintextLength;
    }

    public void Dispose() => _aes.Dispose();

    private static SealedUnitKind KindOf(BlobType type) => type switch
    {
        BlobType.Data => SealedUnitKind.DataBlob,
        BlobType.Tree => SealedUnitKind.TreeBlob,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown blob type."),
    };

    private static void WriteAssociatedData(SealedUnitKind kind, ReadOnlySpan<byte> id, Span<byte> destination)
    {
        if (id.Length != 32)
        {
            throw new ArgumentException($"A sealed unit is bound to a 32-byte id, not {id.Length} bytes.", nameof(id));
        }

        destination[0] = (byte)kind;
        id.CopyTo(destination[1..]);
    }
}
