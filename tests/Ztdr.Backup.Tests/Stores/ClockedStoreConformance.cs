using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Tests.Stores;

/// <summary>Conformance cases that move the store's clock: only stores with an injected clock can run them.</summary>
public abstract class ClockedStoreConformance : ObjectStoreConformance
{
    protected ManualTimeProvider Clock { get; } = new(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));

    protected override DateTimeOffset Now => Clock.GetUtcNow();

    [Fact]
    public async Task Delete_AfterRetentionExpires_RemovesIt()
    {
        await Store.PutNewAsync("data/20/x", Bytes(10, 30).AsMemory(), Future(TimeSpan.FromDays(1)), Ct);
        Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));

        await PruneStore.DeleteAsync("data/20/x", Ct);

        Assert.False(await Store.ExistsAsync("data/20/x", Ct));
    }

    [Fact]
    public async Task Delete_OneSecondBeforeRetainUntil_IsStillDenied()
    {
        // A lock protects while retainUntil > now; the last second before expiry is still protected.
        var until = Future(TimeSpan.FromDays(1));
        await Store.PutNewAsync("data/21/x", Bytes(10, 31).AsMemory(), until, Ct);
        Clock.Advance(until - Now - TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => PruneStore.DeleteAsync("data/21/x", Ct));

        Assert.Equal(StoreErrorKind.AccessDenied, error.Kind);
    }

    [Fact]
    public async Task GetRetention_AfterExpiry_StillReportsIt()
    {
        var until = Future(TimeSpan.FromHours(1));
        await Store.PutNewAsync("data/22/x", Bytes(10, 32).AsMemory(), until, Ct);
        Clock.Advance(TimeSpan.FromHours(2));

        Assert.Equal(new ObjectRetention(RetentionMode.Compliance, until), await Store.GetRetentionAsync("data/22/x", Ct));
    }
}
