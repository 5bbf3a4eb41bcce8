using System.Security.Cryptography;

namespace Ztdr.Backup.Crypto;

/// <summary>
/// Computes blob ids as HMAC-SHA256(K_id, plaintext) (repository-format.md § 3). Keyed so that whoever holds the bucket
/// cannot hash a known file and test whether it is backed up. Thread-safe.
/// </summary>
internal sealed class ChunkIdKey : IDisposable
{
    private readonly byte[] _key;

    internal ChunkIdKey(byte[] key) => _key = key;

    public BlobId ComputeId(ReadOnlySpan<byte> plaintext)
    {
        Span<byte> mac = stackalloc byte[BlobId.Length];
        HMACSHA256.HashData(_key, plaintext, mac);
        return new BlobId(mac);
    }

    public void Dispose() => CryptographicOperations.ZeroMemory(_key);
}
