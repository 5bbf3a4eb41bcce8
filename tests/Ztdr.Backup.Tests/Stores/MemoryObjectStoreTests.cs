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
}
