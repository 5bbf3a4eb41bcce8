using System.Security.Cryptography;
using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Tests.Crypto;

public sealed class BlobCipherTests : IDisposable
{
    private readonly MasterKey _master = MasterKey.Generate();
    private readonly RepositoryKeys _keys;
    private readonly ObjectId _packId = ObjectId.NewRandom();

    public BlobCipherTests() => _keys = _master.DeriveKeys();

    [Fact]
    public void OpenBlob_SealedByTheSameObjectKey_ReturnsPlaintext()
    {
        var (id, sealedUnit) = SealData(RandomNumberGenerator.GetBytes(1000));
        using var cipher = _keys.CreateObjectCipher(ObjectType.Pack, _packId);
        var plain = new byte[sealedUnit.Length - BlobCipher.Overhead];

        var n = cipher.OpenBlob(BlobType.Data, id, sealedUnit, plain);

        Assert.Equal(1000, n);
        Assert.Equal(id, _keys.ChunkIdKey.ComputeId(plain));
    }

    [Fact]
    public void SealBlob_SamePlaintextTwice_UsesFreshNonces()
    {
        var data = RandomNumberGenerator.GetBytes(64);
        var (_, first) = SealData(data);
        var (_, second) = SealData(data);

        Assert.NotEqual(first.AsSpan(0, BlobCipher.NonceLength).ToArray(), second.AsSpan(0, BlobCipher.NonceLength).ToArray());
    }

    [Theory]
    [InlineData(0)] // nonce
    [InlineData(20)] // ciphertext
    [InlineData(-1)] // tag
    public void OpenBlob_OneBitFlipped_ThrowsIntegrityException(int position)
    {
        var (id, sealedUnit) = SealData(RandomNumberGenerator.GetBytes(100));
        sealedUnit[position < 0 ? sealedUnit.Length + position : position] ^= 0x01;
        using var cipher = _keys.CreateObjectCipher(ObjectType.Pack, _packId);

        Assert.Throws<CryptographicIntegrityException>(() => cipher.OpenBlob(BlobType.Data, id, sealedUnit, new byte[sealedUnit.Length]));
    }

    [Fact]
    public void OpenBlob_PresentedUnderAnotherBlobId_ThrowsIntegrityException()
    {
        var (_, sealedUnit) = SealData(RandomNumberGenerator.GetBytes(100));
        var otherId = _keys.ChunkIdKey.ComputeId("other"u8);
        using var cipher = _keys.CreateObjectCipher(ObjectType.Pack, _packId);

        Assert.Throws<CryptographicIntegrityException>(() => cipher.OpenBlob(BlobType.Data, otherId, sealedUnit, new byte[sealedUnit.Length]));
    }

    [Fact]
    public void OpenBlob_DataBlobReadAsTree_ThrowsIntegrityException()
    {
        var (id, sealedUnit) = SealData(RandomNumberGenerator.GetBytes(100));
        using var cipher = _keys.CreateObjectCipher(ObjectType.Pack, _packId);

        Assert.Throws<CryptographicIntegrityException>(() => cipher.OpenBlob(BlobType.Tree, id, sealedUnit, new byte[sealedUnit.Length]));
    }

    [Fact]
    public void OpenBlob_MovedToAnotherPack_ThrowsIntegrityException()
    {
        var (id, sealedUnit) = SealData(RandomNumberGenerator.GetBytes(100));
        using var otherPack = _keys.CreateObjectCipher(ObjectType.Pack, ObjectId.NewRandom());

        Assert.Throws<CryptographicIntegrityException>(() => otherPack.OpenBlob(BlobType.Data, id, sealedUnit, new byte[sealedUnit.Length]));
    }

    [Fact]
    public void OpenBlob_OtherRepositoryKey_ThrowsIntegrityException()
    {
        var (id, sealedUnit) = SealData(RandomNumberGenerator.GetBytes(100));
        using var otherMaster = MasterKey.Generate();
        using var otherKeys = otherMaster.DeriveKeys();
        using var cipher = otherKeys.CreateObjectCipher(ObjectType.Pack, _packId);

        Assert.Throws<CryptographicIntegrityException>(() => cipher.OpenBlob(BlobType.Data, id, sealedUnit, new byte[sealedUnit.Length]));
    }

    [Fact]
    public void OpenObjectUnit_TrailerOpenedAsObjectBody_ThrowsIntegrityException()
    {
        using var cipher = _keys.CreateObjectCipher(ObjectType.Pack, _packId);
        var sealedUnit = new byte[BlobCipher.SealedLength(48)];
        cipher.SealObjectUnit(SealedUnitKind.PackTrailer, _packId, new byte[48], sealedUnit);

        Assert.Equal(48, cipher.OpenObjectUnit(SealedUnitKind.PackTrailer, _packId, sealedUnit, new byte[48]));
        Assert.Throws<CryptographicIntegrityException>(() => cipher.OpenObjectUnit(SealedUnitKind.ObjectBody, _packId, sealedUnit, new byte[48]));
    }

    [Fact]
    public void CreateObjectCipher_SameIdOtherType_DerivesAnotherKey()
    {
        Assert.NotEqual(_keys.DeriveObjectKey(ObjectType.Pack, _packId), _keys.DeriveObjectKey(ObjectType.Index, _packId));
    }

    [Fact]
    public void Open_ShorterThanNonceAndTag_ThrowsFormatException()
    {
        using var cipher = _keys.CreateObjectCipher(ObjectType.Pack, _packId);

        Assert.Throws<RepositoryFormatException>(() => cipher.OpenObjectUnit(SealedUnitKind.ObjectBody, _packId, new byte[27], new byte[0]));
    }

    public void Dispose()
    {
        _keys.Dispose();
        _master.Dispose();
    }

    private (BlobId Id, byte[] Sealed) SealData(byte[] plain)
    {
        var id = _keys.ChunkIdKey.ComputeId(plain);
        using var cipher = _keys.CreateObjectCipher(ObjectType.Pack, _packId);
        var sealedUnit = new byte[BlobCipher.SealedLength(plain.Length)];
        Assert.Equal(sealedUnit.Length, cipher.SealBlob(BlobType.Data, id, plain, sealedUnit));
        return (id, sealedUnit);
    }
}
