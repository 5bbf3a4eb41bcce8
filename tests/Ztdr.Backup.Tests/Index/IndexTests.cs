using System.Security.Cryptography;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Index;
using Ztdr.Backup.Packing;

namespace Ztdr.Backup.Tests.Index;

public sealed class IndexTests
{
    private static readonly DateTimeOffset Until = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);

    [Fact]
    public void Read_WrittenIndex_RoundTrips()
    {
        var original = new IndexObject([ObjectId.NewRandom()], [Pack(3), Pack(0), Pack(1)]);

        var parsed = IndexReader.Read(IndexWriter.Write(original));

        Assert.Equal(original.Supersedes, parsed.Supersedes);
        Assert.Equal(original.Packs.Count, parsed.Packs.Count);
        for (var i = 0; i < original.Packs.Count; i++)
        {
            Assert.Equal(original.Packs[i].PackId, parsed.Packs[i].PackId);
            Assert.Equal(Until, parsed.Packs[i].RetainUntil);
            Assert.Equal(original.Packs[i].Entries, parsed.Packs[i].Entries);
        }
    }

    [Fact]
    public void Write_FixedContent_LayoutIsFrozen()
    {
        var packId = new ObjectId(Enumerable.Repeat((byte)0xAA, 32).ToArray());
        var blobId = new BlobId(Enumerable.Repeat((byte)0xBB, 32).ToArray());
        var index = new IndexObject([], [new IndexedPack(packId, DateTimeOffset.FromUnixTimeSeconds(0x0102030405), [new PackEntry(BlobType.Tree, blobId, 40, 0x30, 0x10)])]);

        var bytes = IndexWriter.Write(index);

        Assert.Equal(
            "00000000" + "01000000" + new string('a', 64) + "0504030201000000" + "01000000"
            + "02000000" + new string('b', 64) + "28000000" + "30000000" + "10000000",
            Convert.ToHexStringLower(bytes));
    }

    [Fact]
    public void Read_Truncated_ThrowsFormatException()
    {
        var bytes = IndexWriter.Write(new IndexObject([], [Pack(2)]));

        Assert.Throws<RepositoryFormatException>(() => IndexReader.Read(bytes.AsSpan(0, bytes.Length - 1)));
    }

    [Fact]
    public void Read_HugeCount_ThrowsFormatException()
    {
        Assert.Throws<RepositoryFormatException>(() => IndexReader.Read([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]));
    }

    [Fact]
    public void Read_TrailingBytes_ThrowsFormatException()
    {
        var bytes = IndexWriter.Write(new IndexObject([], [Pack(1)]));

        Assert.Throws<RepositoryFormatException>(() => IndexReader.Read([.. bytes, 0]));
    }

    [Fact]
    public void Load_SupersededIndex_IsIgnored()
    {
        var oldId = ObjectId.NewRandom();
        var oldPack = Pack(2);
        var newPack = Pack(1);
        var index = BlobIndex.Load(new Dictionary<ObjectId, IndexObject>
        {
            [oldId] = new([], [oldPack]),
            [ObjectId.NewRandom()] = new([oldId], [newPack]),
        });

        Assert.False(index.Has(oldPack.Entries[0].Id));
        Assert.True(index.Has(newPack.Entries[0].Id));
        Assert.Single(index.IndexObjectIds);
    }

    [Fact]
    public void TryGet_IndexedBlob_ReturnsPackAndEntry()
    {
        var indexId = ObjectId.NewRandom();
        var pack = Pack(2);
        var index = BlobIndex.Load(new Dictionary<ObjectId, IndexObject> { [indexId] = new([], [pack]) });

        Assert.True(index.TryGet(pack.Entries[1].Id, out var location));
        Assert.Equal(new BlobLocation(pack.PackId, pack.Entries[1]), location);
        Assert.Equal([indexId], index.IndexObjectsOf(pack.PackId));
        Assert.False(index.Has(new BlobId(RandomNumberGenerator.GetBytes(32))));
    }

    private static IndexedPack Pack(int blobs)
    {
        var entries = Enumerable.Range(0, blobs)
            .Select(i => new PackEntry(BlobType.Data, new BlobId(RandomNumberGenerator.GetBytes(32)), (uint)(40 + (i * 100)), 100, 80))
            .ToList();
        return new IndexedPack(ObjectId.NewRandom(), Until, entries);
    }
}
