using System.Security.Cryptography;

namespace Ztdr.Backup.Crypto;

/// <summary>
/// The sub keys derived from the master key with HKDF-SHA256 (repository-format.md § 2): the encryption root from which
/// each object's own AES key is derived, and the chunk-id MAC key.
/// </summary>
internal sealed class RepositoryKeys : IDisposable
{
    public const int KeyLength = 32;

    private readonly byte[] _encryptionKey;

    private RepositoryKeys(byte[] encryptionKey, ChunkIdKey chunkIdKey)
    {
        _encryptionKey = encryptionKey;
        ChunkIdKey = chunkIdKey;
    }

    public ChunkIdKey ChunkIdKey { get; }

    internal static RepositoryKeys Derive(ReadOnlySpan<byte> masterKey)
    {
        var encryptionKey = new byte[KeyLength];
        var chunkIdKey = new byte[KeyLength];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, encryptionKey, salt: [], info: "ztdr/v1/encryption"u8);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, chunkIdKey, salt: [], info: "ztdr/v1/chunk-id"u8);
        return new RepositoryKeys(encryptionKey, new ChunkIdKey(chunkIdKey));
    }

    /// <summary>
    /// K_obj = HKDF(K_enc, salt = object id, info = "ztdr/v1/object" || type). One key per object keeps the number of
    /// random-nonce encryptions under any key at most 2^20 (repository-format.md § 5.3).
    /// </summary>
    internal byte[] DeriveObjectKey(ObjectType type, ObjectId id)
    {
        Span<byte> salt = stackalloc byte[ObjectId.Length];
        id.WriteTo(salt);
        Span<byte> info = stackalloc byte["ztdr/v1/object"u8.Length + 1];
        "ztdr/v1/object"u8.CopyTo(info);
        info[^1] = (byte)type;
        var key = new byte[KeyLength];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _encryptionKey, key, salt, info);
        return key;
    }

    /// <summary>The cipher for every sealed unit of one object. Not thread-safe: one per writer or reader.</summary>
    public BlobCipher CreateObjectCipher(ObjectType type, ObjectId id)
    {
        var key = DeriveObjectKey(type, id);
        try
        {
            return new BlobCipher(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_encryptionKey);
        ChunkIdKey.Dispose();
    }
}
