using System.Security.Cryptography;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Index;
using Ztdr.Backup.Packing;

namespace Ztdr.Backup.Tests.Index;

public sealed class BlobLocationsTests
{
    private static readonly ObjectId PackA = ObjectId.NewRandom();
    private static readonly ObjectId PackB = ObjectId.NewRandom();

    [Fact]
    public void TryGet_AfterAdd_GivesBackEveryField()
    {
        var locations = new BlobLocations();
        var entry = new PackEntry(BlobType.Tree, NewBlobId(), 123_456, 7_890, 65_432);

        Assert.True(locations.TryAdd(PackB, entry));

        Assert.True(locations.TryGet(entry.Id, out var location));
        Assert.Equal(new BlobLocation(PackB, entry), location);
        Assert.False(locations.TryGet(NewBlobId(), out _));
    }

    [Fact]
    public void TryAdd_BlobInTwoPacks_KeepsTheFirstAndSetReplacesIt()
    {
        var locations = new BlobLocations();
        var id = NewBlobId();
        var first = new PackEntry(BlobType.Data, id, 40, 100, 90);
        var second = new PackEntry(BlobType.Data, id, 500, 100, 90);

        Assert.True(locations.TryAdd(PackA, first));
        Assert.False(locations.TryAdd(PackB, second));
        Assert.True(locations.TryGet(id, out var kept));
        Assert.Equal(new BlobLocation(PackA, first), kept);

        locations.Set(PackB, second);
        Assert.True(locations.TryGet(id, out var replaced));
        Assert.Equal(new BlobLocation(PackB, second), replaced);
        Assert.Equal(1, locations.Count);
    }

    [Fact]
    public void Clear_ForgetsBlobsAndPacks()
    {
        var locations = new BlobLocations();
        var entry = new PackEntry(BlobType.Data, NewBlobId(), 40, 100, 90);
        locations.Set(PackA, entry);

        locations.Clear();
        locations.Set(PackB, entry with { Offset = 80 });

        Assert.True(locations.TryGet(entry.Id, out var location));
        Assert.Equal(new BlobLocation(PackB, entry with { Offset = 80 }), location);
    }

    private static BlobId NewBlobId() => new(RandomNumberGenerator.GetBytes(BlobId.Length));
}
