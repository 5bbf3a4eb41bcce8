using System.Security.Cryptography;
using System.Text;
using Ztdr.Backup.Compression;
using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Tests.Crypto;

public sealed class SealedObjectTests : IDisposable
{
    private readonly MasterKey _master = MasterKey.Generate();
    private readonly RepositoryKeys _keys;
    private readonly BlobCompressor _compressor = new();

    public SealedObjectTests() => _keys = _master.DeriveKeys();

    [Fact]
    public void Open_SealedSnapshot_ReturnsBody()
    {
        var id = ObjectId.NewRandom();
        var body = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"paths\":[\"/etc\"]}", 100)));

        var sealedObject = SealedObject.Seal(_keys, _compressor, ObjectType.Snapshot, id, body);

        Assert.True(sealedObject.Length < body.Length);
        Assert.Equal(body, SealedObject.Open(_keys, _compressor, ObjectType.Snapshot, id, sealedObject));
    }

    [Fact]
    public void Open_ServedUnderAnotherName_ThrowsFormatException()
    {
        var sealedObject = SealedObject.Seal(_keys, _compressor, ObjectType.Index, ObjectId.NewRandom(), RandomNumberGenerator.GetBytes(100));

        Assert.Throws<RepositoryFormatException>(() => SealedObject.Open(_keys, _compressor, ObjectType.Index, ObjectId.NewRandom(), sealedObject));
    }

    [Fact]
    public void Open_HeaderIdRewrittenToMatchName_ThrowsIntegrityException()
    {
        // Rewriting the clear header changes the derived key: the body no longer authenticates.
        var sealedObject = SealedObject.Seal(_keys, _compressor, ObjectType.Index, ObjectId.NewRandom(), RandomNumberGenerator.GetBytes(100));
        var otherName = ObjectId.NewRandom();
        otherName.WriteTo(sealedObject.AsSpan(8, ObjectId.Length));

        Assert.Throws<CryptographicIntegrityException>(() => SealedObject.Open(_keys, _compressor, ObjectType.Index, otherName, sealedObject));
    }

    [Fact]
    public void Open_OverBodyCap_ThrowsFormatException()
    {
        var id = ObjectId.NewRandom();
        var sealedObject = SealedObject.Seal(_keys, _compressor, ObjectType.Snapshot, id, new byte[1024 * 1024]);

        Assert.Throws<RepositoryFormatException>(() => SealedObject.Open(_keys, _compressor, ObjectType.Snapshot, id, sealedObject, maxBodyLength: 64 * 1024));
    }

    [Fact]
    public void Seal_FixedKeyIdAndNonce_BytesAreFrozen()
    {
        using var keys = RepositoryKeys.Derive(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        var id = new ObjectId(Enumerable.Range(0x40, 32).Select(i => (byte)i).ToArray());
        var nonce = Enumerable.Range(0xA0, 12).Select(i => (byte)i).ToArray();

        // A 5-byte body is stored (flag 00): zstd cannot save 1/8 of it. Expected value from the independent implementation.
        var sealedObject = SealedObject.Seal(keys, _compressor, ObjectType.Config, id, "{}\n\n\n"u8, nonce);

        Assert.Equal(
            "5a544452" + "01" + "01" + "0000" + "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
            + "a0a1a2a3a4a5a6a7a8a9aaab" + "a24b1636f140" + "9a4f0794244be83093be195d04e8382c", // header, nonce, flag+body, tag
            Convert.ToHexStringLower(sealedObject));
    }

    public void Dispose()
    {
        _compressor.Dispose();
        _keys.Dispose();
        _master.Dispose();
    }
}
