using Ztdr.Backup.Repository;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Stores;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Repository;

/// <summary>
/// Init reads back the lock of the first object it writes and refuses a target that accepted lock headers without
/// honouring them (what Ceph RGW 16 does on multipart uploads and with retain-until dates past 2106), before any config
/// exists: no repository of deletable objects is ever created.
/// </summary>
public sealed class InitLockReadBackTests
{
    private readonly ManualTimeProvider _time = new(RepositoryTests.Start);
    private readonly MemoryObjectStore _memory;

    public InitLockReadBackTests() => _memory = new MemoryObjectStore(_time);

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task Init_TargetDropsLockHeaders_RejectedNamingTheObjectAndNoConfigWritten()
    {
        var store = new LockRewritingStore(_memory, _ => null);

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => Repo.InitAsync(store, "secret", TimeSpan.FromDays(30), _time, RepositoryTests.TestKdf, cancellationToken: Ct));

        Assert.Equal(StoreErrorKind.Rejected, error.Kind);
        Assert.Matches("^the store accepted object 'keys/[0-9a-f]{64}' with COMPLIANCE retention until [-0-9T:]+Z but reports no retention at all; ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.False(await _memory.ExistsAsync(RepositoryObjectNames.Config, Ct));
    }

    [Fact]
    public async Task Init_TargetShortensTheLock_RejectedWithBothDates()
    {
        // As RGW 16 does with a date past 2106-02-07 (32 unsigned bits of seconds wrap to 1970), modelled as a lock
        // that ends a second from now: the memory store, like any honest one, refuses a date already past.
        var store = new LockRewritingStore(_memory, _ => _time.GetUtcNow().AddSeconds(1));
        var retention = TimeSpan.FromDays(365);
        var requested = LockPolicy.For(retention).RetainUntilForRunAt(_time.GetUtcNow());

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => Repo.InitAsync(store, "secret", retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct));

        Assert.Equal(StoreErrorKind.Rejected, error.Kind);
        Assert.Contains($"until {requested.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} but reports COMPLIANCE until {_time.GetUtcNow().AddSeconds(1).UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}", error.Message, StringComparison.Ordinal);
        Assert.False(await _memory.ExistsAsync(RepositoryObjectNames.Config, Ct));
    }

    [Fact]
    public async Task Init_TargetThatLocks_CreatesRepositoryAndBothObjectsAreCovered()
    {
        using var repository = await Repo.InitAsync(new LockRewritingStore(_memory, until => until), "secret", TimeSpan.FromDays(30), _time, RepositoryTests.TestKdf, cancellationToken: Ct);

        await foreach (var item in _memory.ListAsync(cancellationToken: Ct))
        {
            Assert.True((await _memory.GetRetentionAsync(item.Name, Ct))!.Covers(repository.RunRetainUntil), item.Name);
        }
    }

    /// <summary>Passes writes on with the retain-until rewritten: null drops the lock, an earlier date shortens it.</summary>
    private sealed class LockRewritingStore(IObjectStore inner, Func<DateTimeOffset?, DateTimeOffset?> rewrite) : ForwardingStore(inner)
    {
        public override Task PutNewAsync(string name, Stream content, DateTimeOffset? retainUntil, CancellationToken cancellationToken = default) =>
            Inner.PutNewAsync(name, content, rewrite(retainUntil), cancellationToken);

        public override Task PutNewAsync(string name, ReadOnlyMemory<byte> content, DateTimeOffset? retainUntil, CancellationToken cancellationToken = default) =>
            Inner.PutNewAsync(name, content, rewrite(retainUntil), cancellationToken);
    }
}
