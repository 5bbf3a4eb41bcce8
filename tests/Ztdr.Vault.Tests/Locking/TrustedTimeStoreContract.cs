using Ztdr.Vault.Locking;
using Ztdr.Vault.Storage;
using Ztdr.Vault.Tests.Tls;

namespace Ztdr.Vault.Tests.Locking;

/// <summary>
/// The guarantees <see cref="ITrustedTimeStore"/> documents, run against every implementation, the fake included,
/// so the clock's tests on the fake say something about the real store.
/// </summary>
public abstract class TrustedTimeStoreContract
{
    private static readonly DateTimeOffset Time = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(6_789_012);

    /// <summary>Makes the stored record unreadable, as damage on disk would.</summary>
    protected abstract void Damage(ITrustedTimeStore store);

    protected abstract ITrustedTimeStore CreateStore();

    [Fact]
    public void Load_NothingSaved_ReturnsNull()
    {
        Assert.Null(CreateStore().Load());
    }

    [Fact]
    public void Load_AfterSave_ReturnsTheRecordToTheTick()
    {
        var store = CreateStore();
        var record = new TrustedTimeRecord(Time, Time.AddDays(1).AddTicks(1));

        store.Save(record);

        var loaded = store.Load();
        Assert.Equal(record, loaded);
        Assert.Equal(record.TrustedTime.UtcTicks, loaded!.TrustedTime.UtcTicks);
    }

    [Fact]
    public void Load_AfterSavingTwice_ReturnsTheLatest()
    {
        var store = CreateStore();
        store.Save(new TrustedTimeRecord(Time, Time));

        store.Save(new TrustedTimeRecord(Time.AddSeconds(10), Time.AddSeconds(11)));

        Assert.Equal(new TrustedTimeRecord(Time.AddSeconds(10), Time.AddSeconds(11)), store.Load());
    }

    [Fact]
    public void Load_Damaged_ThrowsInvalidData()
    {
        var store = CreateStore();
        store.Save(new TrustedTimeRecord(Time, Time));

        Damage(store);

        Assert.Throws<InvalidDataException>(store.Load);
    }
}

public sealed class InMemoryTrustedTimeStoreContractTests : TrustedTimeStoreContract
{
    protected override ITrustedTimeStore CreateStore() => new InMemoryTrustedTimeStore();

    protected override void Damage(ITrustedTimeStore store) => ((InMemoryTrustedTimeStore)store).Damage();
}

public sealed class FileTrustedTimeStoreContractTests : TrustedTimeStoreContract, IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    protected override ITrustedTimeStore CreateStore() => new FileTrustedTimeStore(_folder.Combine("clock.json"));

    protected override void Damage(ITrustedTimeStore store) => File.WriteAllText(((FileTrustedTimeStore)store).Path, "{\"version\":1,\"trustedTi");
}
