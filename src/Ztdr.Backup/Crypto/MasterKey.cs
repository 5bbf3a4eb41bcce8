using System.Security.Cryptography;

namespace Ztdr.Backup.Crypto;

/// <summary>
/// The repository's 32 random bytes from which every other key is derived (repository-format.md § 2). Only ever stored
/// wrapped by a password (<see cref="KeyObject"/>); zeroed on dispose.
/// </summary>
internal sealed class MasterKey : IDisposable
{
    public const int Length = 32;

    private readonly byte[] _bytes;

    private MasterKey(byte[] bytes) => _bytes = bytes;

    public static MasterKey Generate() => new(RandomNumberGenerator.GetBytes(Length));

    public static MasterKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A master key is {Length} bytes, not {bytes.Length}.", nameof(bytes));
        }

        return new MasterKey(bytes.ToArray());
    }

    internal ReadOnlySpan<byte> Bytes => _bytes;

    public RepositoryKeys DeriveKeys() => RepositoryKeys.Derive(_bytes);

    public void Dispose() => CryptographicOperations.ZeroMemory(_bytes);
}
