using System.Text;
using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Tests.Crypto;

/// <summary>
/// Freezes repository format 1's key derivation and byte layouts (docs/repository-format.md §§ 2–5) with fixed keys,
/// salts and nonces. The expected values come from an independent implementation of the spec (Python, pyca/cryptography
/// with OpenSSL's HKDF, HMAC, AES-GCM and Argon2id). A failure means a new format version, never an edited expectation.
/// </summary>
public sealed class CryptoGoldenTests
{
    private static readonly byte[] Master = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
    private static readonly ObjectId FixedObjectId = new(Enumerable.Range(0x40, 32).Select(i => (byte)i).ToArray());
    private static readonly byte[] FixedNonce = Enumerable.Range(0xA0, 12).Select(i => (byte)i).ToArray();

    [Fact]
    public void EnumNumbers_FormatVersion1_AreFrozen()
    {
        Assert.Equal([1, 2, 3, 4, 5, 6], new[] { ObjectType.Config, ObjectType.Pack, ObjectType.Index, ObjectType.Snapshot, ObjectType.Forgotten, ObjectType.Retention }.Select(t => (int)t));
        Assert.Equal([1, 2], new[] { BlobType.Data, BlobType.Tree }.Select(t => (int)t));
        Assert.Equal([0x01, 0x02, 0x10, 0x11], new[] { SealedUnitKind.DataBlob, SealedUnitKind.TreeBlob, SealedUnitKind.PackTrailer, SealedUnitKind.ObjectBody }.Select(k => (int)k));
    }

    [Fact]
    public void ObjectHeader_PackWithFixedId_IsFrozen()
    {
        var bytes = new ObjectHeader(ObjectType.Pack, FixedObjectId).ToArray();

        Assert.Equal("5a544452" + "01" + "02" + "0000" + "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f", Convert.ToHexStringLower(bytes));
    }

    [Fact]
    public void DeriveKeys_FixedMasterKey_SubKeysAreFrozen()
    {
        using var keys = RepositoryKeys.Derive(Master);

        Assert.Equal("ff1f4ac178051753b6e94c6f05e3ea11197e0a2932a139a77d725d1498a8dc47", Convert.ToHexStringLower(keys.DeriveObjectKey(ObjectType.Pack, FixedObjectId)));
        Assert.Equal("fc2da986ff5b4f424425a418938c449c0f46572b59f54a562e362a2e374963d1", keys.ChunkIdKey.ComputeId("hello, ztdr"u8).ToString());
    }

    [Fact]
    public void SealBlob_FixedKeyAndNonce_SealedBytesAreFrozen()
    {
        using var keys = RepositoryKeys.Derive(Master);
        var blobId = keys.ChunkIdKey.ComputeId("hello, ztdr"u8);
        using var cipher = keys.CreateObjectCipher(ObjectType.Pack, FixedObjectId);
        byte[] plain = [0x00, .. "hello, ztdr"u8];
        var idBytes = blobId.ToArray();
        var sealedUnit = new byte[BlobCipher.SealedLength(plain.Length)];

        cipher.Seal(SealedUnitKind.DataBlob, idBytes, plain, FixedNonce, sealedUnit);

        // nonce (12) || ciphertext (flag 00 + 11 bytes) || tag (16)
        Assert.Equal("a0a1a2a3a4a5a6a7a8a9aaab" + "aa28b84ede5298b11e5cd7b3" + "a2612cb6c6e2e2bf5f96142a59a2f6a8", Convert.ToHexStringLower(sealedUnit));
    }

    [Fact]
    public void KeyObject_FixedSaltAndNonce_WrappedKeyIsFrozen()
    {
        using var master = MasterKey.FromBytes(Master);
        var salt = Enumerable.Range(0x10, 32).Select(i => (byte)i).ToArray();
        var nonce = Enumerable.Range(0xC0, 12).Select(i => (byte)i).ToArray();
        var created = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var key = KeyObject.Create(master, "correct horse", new KdfParameters(1024, 1, 1), created, salt, nonce);
        var json = Encoding.UTF8.GetString(key.Serialize());

        Assert.Equal("rnD5UlOl1y40CWRGfdSaiwd134ysu3xqRf+QW8wPz/ZgdY641+xGrxjIRbzOiU5G", Convert.ToBase64String(key.Ciphertext));
        Assert.Equal(
            """
            {
              "version": 1,
              "created": "2026-01-01T00:00:00.0000000Z",
              "kdf": {
                "algorithm": "argon2id",
                "version": 19,
                "memoryKiB": 1024,
                "iterations": 1,
                "parallelism": 1,
                "salt": "EBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8="
              },
              "wrap": {
                "algorithm": "aes-256-gcm",
                "nonce": "wMHCw8TFxsfIycrL",
                "ciphertext": "rnD5UlOl1y40CWRGfdSaiwd134ysu3xqRf+QW8wPz/ZgdY641+xGrxjIRbzOiU5G"
              }
            }
            """.ReplaceLineEndings("\n"),
            json.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void KeyObject_SixteenByteSaltOneLane_WrappedKeyIsFrozen()
    {
        // The libsodium path (PasswordKdf), which every key since 2026-12 takes. The ciphertext was computed outside .NET:
        // crypto_pwhash_argon2id from Python, then AES-256-GCM with the AAD of repository-format.md § 4.
        using var master = MasterKey.FromBytes(Master);
        var salt = Enumerable.Range(0x10, 16).Select(i => (byte)i).ToArray();
        var nonce = Enumerable.Range(0xC0, 12).Select(i => (byte)i).ToArray();

        var key = KeyObject.Create(master, "correct horse", new KdfParameters(1024, 1, 1), new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), salt, nonce);

        Assert.True(PasswordKdf.UsesLibsodium(key.Kdf, key.Salt.Length));
        Assert.Equal("DIpZ5mmMmovW0FqBVk63zSKYn47mnGyrWfP+JOmNcNH9jmVAWeMP8FYOlslTJjEq", Convert.ToBase64String(key.Ciphertext));
    }
}
