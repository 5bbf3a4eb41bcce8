using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Tests.Stores;

public sealed class MemoryObjectStoreTests : ClockedStoreConformance
{
    private readonly MemoryObjectStore _store;

    public MemoryObjectStoreTests()
    {
        _store = new MemoryObjectStore(Clock);
    }

    protected override IObjectStore Store => _store;

    protected override bool ExpectedImmutable => true;

    [Fact]
    public async Task ExtendRetention_AlreadyCovered_WritesNothing()
    {
        await _store.PutNewAsync("p", new byte[] { 1 }.AsMemory(), Future(TimeSpan.FromDays(9)), Ct);
        var before = _store.RetentionWrites;

        await _store.ExtendRetentionAsync("p", Future(TimeSpan.FromDays(3)), Ct);
        await _store.ExtendRetentionAsync("p", Future(TimeSpan.FromDays(9)), Ct);

        Assert.Equal(before, _store.RetentionWrites);
    }

    [Fact]
    public async Task ListVersions_NameOverwrittenAndHidden_ListsMarkerThenVersionsNewestFirst()
    {
        // The same sequence S3ObjectStoreTests plays against a real vault: the fake must list it as S3 does.
        await _store.PutNewAsync("config", new byte[30].AsMemory(), Future(TimeSpan.FromDays(1)), Ct);
        _store.PutVersion("config", "garbage"u8);
        _store.HideWithDeleteMarker("config");

        var versions = new List<ObjectVersion>();
        await foreach (var version in _store.ListVersionsAsync("config", Ct))
        {
            versions.Add(version);
        }

        Assert.Equal([true, false, false], versions.Select(v => v.IsDeleteMarker));
        Assert.Equal([7L, 30L], versions.Skip(1).Select(v => v.Size));
        Assert.False(await _store.ExistsAsync("config", Ct));
        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => _store.GetAsync("config", cancellationToken: Ct));
        Assert.Equal(StoreErrorKind.NotFound, error.Kind);
    }
}
