using System.Security.Cryptography;
using System.Text;
using Ztdr.Backup.Compression;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Packing;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Stores;

namespace Ztdr.Backup.Tests.Packing;

public sealed class PackTests : IDisposable
{
    private readonly MasterKey _master = MasterKey.Generate();
    private readonly RepositoryKeys _keys;
    private readonly BlobCompressor _compressor = new();

    public PackTests() => _keys = _master.DeriveKeys();

    [Fact]
    public async Task ReadTrailerAsync_WrittenPack_ReturnsEntriesAndBlobsOpen()
    {
        var store = new MemoryObjectStore(new ManualTimeProvider(DateTimeOffset.UnixEpoch));
        var packId = ObjectId.NewRandom();
        var blobs = new[] { Encoding.UTF8.GetBytes(new string('a', 5000)), RandomNumberGenerator.GetBytes(3000), [] };
        byte[] pack;
        using (var writer = new PackWriter(_keys, packId, 1024 * 1024, RandomNumberGenerator.Fill))
        {
            foreach (var blob in blobs)
            {
                writer.Add(BlobType.Data, _keys.ChunkIdKey.ComputeId(blob), blob, _compressor);
            }

            pack = writer.Finish(_compressor);
        }

        await store.PutNewAsync("data/xx/p", pack, null);

        var entries = await PackReader.ReadTrailerAsync(store, "data/xx/p", packId, pack.Length, _keys, _compressor);

        Assert.Equal(3, entries.Count);
        Assert.Equal(40u, entries[0].Offset);
        Assert.True(entries[0].SealedLength < 5000, "compressible blob stored compressed");
        for (var i = 0; i < blobs.Length; i++)
        {
            Assert.Equal(blobs[i], await PackReader.LoadBlobAsync(store, "data/xx/p", packId, entries[i], _keys, _compressor));
        }
    }

    [Fact]
    public void OpenBlob_TamperedByte_ThrowsIntegrityException()
    {
        var (packId, pack, entry) = OnePack(RandomNumberGenerator.GetBytes(100));
        pack[entry.Offset + 20] ^= 0x80;

        Assert.Throws<CryptographicIntegrityException>(() => PackReader.OpenBlob(_keys, _compressor, packId, entry, pack.AsSpan((int)entry.Offset, (int)entry.SealedLength)));
    }

    [Fact]
    public void OpenBlob_EntryNamesAnotherBlob_ThrowsIntegrityException()
    {
        var (packId, pack, entry) = OnePack(RandomNumberGenerator.GetBytes(100));
        var swapped = entry with { Id = _keys.ChunkIdKey.ComputeId([1, 2, 3]) };

        Assert.Throws<CryptographicIntegrityException>(() => PackReader.OpenBlob(_keys, _compressor, packId, swapped, pack.AsSpan((int)entry.Offset, (int)entry.SealedLength)));
    }

    [Fact]
    public void OpenBlob_DataPresentedAsTree_ThrowsIntegrityException()
    {
        var (packId, pack, entry) = OnePack(RandomNumberGenerator.GetBytes(100));

        Assert.Throws<CryptographicIntegrityException>(() => PackReader.OpenBlob(_keys, _compressor, packId, entry with { Type = BlobType.Tree }, pack.AsSpan((int)entry.Offset, (int)entry.SealedLength)));
    }

    [Fact]
    public void OpenBlob_SealedUnderWrongId_ThrowsIntegrityException()
    {
        // A writer holding the key sealed other content under an id: the tag verifies, the recomputed id does not.
        var packId = ObjectId.NewRandom();
        var claimed = _keys.ChunkIdKey.ComputeId("claimed"u8);
        using var writer = new PackWriter(_keys, packId, 1024, RandomNumberGenerator.Fill);
        var entry = writer.Add(BlobType.Data, claimed, "actual content"u8, _compressor);
        var pack = writer.Finish(_compressor);

        Assert.Throws<CryptographicIntegrityException>(() => PackReader.OpenBlob(_keys, _compressor, packId, entry, pack.AsSpan((int)entry.Offset, (int)entry.SealedLength)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OpenBlob_ReusedLargerBuffers_WritesTheBlobAndTheUnitOpenBlobUnitGives(bool compressible)
    {
        var blob = compressible ? Encoding.UTF8.GetBytes(new string('z', 70_000)) : RandomNumberGenerator.GetBytes(70_000);
        var (packId, pack, entry) = OnePack(blob);
        var sealedUnit = pack.AsSpan((int)entry.Offset, (int)entry.SealedLength);
        var expected = PackReader.OpenBlobUnit(_keys, _compressor, packId, entry, sealedUnit);

        // Buffers as a worker reuses them: larger than needed and holding an earlier blob's bytes.
        var unit = Enumerable.Repeat((byte)0xee, 200_000).ToArray();
        var raw = Enumerable.Repeat((byte)0xee, 200_000).ToArray();
        using var cipher = _keys.CreateObjectCipher(ObjectType.Pack, packId);
        PackReader.OpenBlob(_keys, cipher, _compressor, packId, entry, sealedUnit, unit, raw);

        Assert.Equal(blob, raw[..blob.Length]);
        Assert.Equal(expected.Unit, unit[..PackReader.UnitLength(sealedUnit)]);
    }

    [Fact]
    public void OpenBlob_IntoReusedBuffers_SameRawAsAllocatingOpen()
    {
        var blobs = new[] { Encoding.UTF8.GetBytes(new string('t', 9000)), RandomNumberGenerator.GetBytes(7000), RandomNumberGenerator.GetBytes(10) };
        var (packId, pack, entries) = Pack(blobs);
        var plain = new byte[10_000];
        var raw = new byte[10_000];
        using var cipher = _keys.CreateObjectCipher(ObjectType.Pack, packId);

        foreach (var entry in entries)
        {
            var sealedUnit = pack.AsSpan((int)entry.Offset, (int)entry.SealedLength);
            PackReader.OpenBlob(_keys, cipher, _compressor, packId, entry, sealedUnit, plain, raw);

            Assert.Equal(PackReader.OpenBlob(_keys, _compressor, packId, entry, sealedUnit), raw.AsSpan(0, (int)entry.RawLength).ToArray());
        }
    }

    [Fact]
    public void OpenBlob_InPlace_OpensTheSealedUnitsOwnCiphertext()
    {
        var blob = Encoding.UTF8.GetBytes(new string('x', 5000) + "end");
        var (packId, pack, entry) = OnePack(blob);
        var sealedUnit = pack.AsSpan((int)entry.Offset, (int)entry.SealedLength);
        var raw = new byte[blob.Length];
        using var cipher = _keys.CreateObjectCipher(ObjectType.Pack, packId);

        PackReader.OpenBlob(_keys, cipher, _compressor, packId, entry, sealedUnit, sealedUnit.Slice(BlobCipher.NonceLength, sealedUnit.Length - BlobCipher.Overhead), raw);

        Assert.Equal(blob, raw);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OpenBlob_IntoBuffersTamperedOrMisnamed_ThrowsWhatTheAllocatingOpenThrows(bool misnamed)
    {
        var (packId, pack, entry) = OnePack(RandomNumberGenerator.GetBytes(100));
        if (misnamed)
        {
            entry = entry with { Id = _keys.ChunkIdKey.ComputeId([1, 2, 3]) };
        }
        else
        {
            pack[entry.Offset + 20] ^= 0x80;
        }

        using var cipher = _keys.CreateObjectCipher(ObjectType.Pack, packId);
        var allocating = Assert.Throws<CryptographicIntegrityException>(() => PackReader.OpenBlob(_keys, _compressor, packId, entry, pack.AsSpan((int)entry.Offset, (int)entry.SealedLength)));
        var intoBuffers = Assert.Throws<CryptographicIntegrityException>(() =>
            PackReader.OpenBlob(_keys, cipher, _compressor, packId, entry, pack.AsSpan((int)entry.Offset, (int)entry.SealedLength), new byte[200], new byte[200]));

        Assert.Equal(allocating.Message, intoBuffers.Message);
    }

    [Fact]
    public void OpenBlob_IntoBuffersShorterThanASealedUnit_ThrowsFormatExceptionBeforeReading()
    {
        var (packId, pack, entry) = OnePack(RandomNumberGenerator.GetBytes(100));
        using var cipher = _keys.CreateObjectCipher(ObjectType.Pack, packId);

        var ex = Assert.Throws<RepositoryFormatException>(() => PackReader.OpenBlob(_keys, cipher, _compressor, packId, entry, pack.AsSpan((int)entry.Offset, 10), default, default));
        Assert.Contains("shorter than a sealed unit", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadTrailer_ServedUnderAnotherName_Throws()
    {
        var (_, pack, _) = OnePack(RandomNumberGenerator.GetBytes(100));

        Assert.Throws<RepositoryFormatException>(() => PackReader.ReadTrailer(_keys, _compressor, ObjectId.NewRandom(), pack));
    }

    [Fact]
    public void ReadTrailer_LengthFieldCorrupt_ThrowsFormatException()
    {
        var (packId, pack, _) = OnePack(RandomNumberGenerator.GetBytes(100));
        pack[^1] = 0xFF;

        Assert.Throws<RepositoryFormatException>(() => PackReader.ReadTrailer(_keys, _compressor, packId, pack));
    }

    [Fact]
    public void IsFull_AtTarget_True()
    {
        using var writer = new PackWriter(_keys, ObjectId.NewRandom(), 1000, RandomNumberGenerator.Fill);
        var blob = RandomNumberGenerator.GetBytes(600);
        writer.Add(BlobType.Data, _keys.ChunkIdKey.ComputeId(blob), blob, _compressor);
        Assert.False(writer.IsFull);

        var second = RandomNumberGenerator.GetBytes(600);
        writer.Add(BlobType.Data, _keys.ChunkIdKey.ComputeId(second), second, _compressor);

        Assert.True(writer.IsFull);
        Assert.True(writer.Contains(_keys.ChunkIdKey.ComputeId(second)));
    }

    [Fact]
    public void ReadAll_OverlappingEntries_ThrowsFormatException()
    {
        var id = _keys.ChunkIdKey.ComputeId([1]);
        var bytes = PackEntry.WriteAll([new PackEntry(BlobType.Data, id, 40, 100, 10), new PackEntry(BlobType.Data, id, 100, 100, 10)]);

        Assert.Throws<RepositoryFormatException>(() => PackEntry.ReadAll(bytes, 1000));
    }

    [Fact]
    public void ReadAll_EntryPastTrailer_ThrowsFormatException()
    {
        var id = _keys.ChunkIdKey.ComputeId([1]);
        var bytes = PackEntry.WriteAll([new PackEntry(BlobType.Data, id, 40, 100, 10)]);

        Assert.Throws<RepositoryFormatException>(() => PackEntry.ReadAll(bytes, 139));
    }

    [Fact]
    public void Finish_FixedKeyIdsAndNonces_BytesAreFrozen()
    {
        // Golden: a failing assertion here means a new format version, never an edited expectation.
        using var keys = RepositoryKeys.Derive(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        var packId = new ObjectId(Enumerable.Range(0x40, 32).Select(i => (byte)i).ToArray());
        byte counter = 0;
        void Counter(Span<byte> destination)
        {
            foreach (ref var b in destination)
            {
                b = counter++;
            }
        }

        byte[] pack;
        using (var writer = new PackWriter(keys, packId, 1024, Counter))
        {
            var data = "ztdr"u8.ToArray();
            var tree = "{\"nodes\":[]}"u8.ToArray();
            writer.Add(BlobType.Data, keys.ChunkIdKey.ComputeId(data), data, _compressor);
            writer.Add(BlobType.Tree, keys.ChunkIdKey.ComputeId(tree), tree, _compressor);
            pack = writer.Finish(_compressor);
        }

        var entries = PackReader.ReadTrailer(keys, _compressor, packId, pack);
        Assert.Equal("5a54445201020000" + Convert.ToHexStringLower(packId.ToArray()), Convert.ToHexStringLower(pack.AsSpan(0, 40)));
        Assert.Equal([(40u, 33u, 4u), (73u, 41u, 12u)], entries.Select(e => (e.Offset, e.SealedLength, e.RawLength)));
        Assert.Equal("000102030405060708090a0b", Convert.ToHexStringLower(pack.AsSpan(40, 12)));
        Assert.Equal("243", pack.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("a1f0f6e405c0a08127b9ccb82f6a119e59a3470d8e18c1c8c179fb61b1a2800f", Convert.ToHexStringLower(SHA256.HashData(pack)));
    }

    public void Dispose()
    {
        _compressor.Dispose();
        _keys.Dispose();
        _master.Dispose();
    }

    private (ObjectId PackId, byte[] Pack, List<PackEntry> Entries) Pack(byte[][] blobs)
    {
        var packId = ObjectId.NewRandom();
        using var writer = new PackWriter(_keys, packId, 1024 * 1024, RandomNumberGenerator.Fill);
        var entries = blobs.Select(blob => writer.Add(BlobType.Data, _keys.ChunkIdKey.ComputeId(blob), blob, _compressor)).ToList();
        return (packId, writer.Finish(_compressor), entries);
    }

    private (ObjectId PackId, byte[] Pack, PackEntry Entry) OnePack(byte[] blob)
    {
        var packId = ObjectId.NewRandom();
        using var writer = new PackWriter(_keys, packId, 1024 * 1024, RandomNumberGenerator.Fill);
        var entry = writer.Add(BlobType.Data, _keys.ChunkIdKey.ComputeId(blob), blob, _compressor);
        return (packId, writer.Finish(_compressor), entry);
    }
}
