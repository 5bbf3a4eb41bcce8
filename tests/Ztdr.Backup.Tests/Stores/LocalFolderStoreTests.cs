using Ztdr.Backup.Stores;
using Ztdr.Testing;

namespace Ztdr.Backup.Tests.Stores;

public sealed class LocalFolderStoreTests : ClockedStoreConformance, IDisposable
{
    private readonly TemporaryDirectory _folder = new("store");
    private readonly LocalFolderStore _store;

    public LocalFolderStoreTests()
    {
        _store = new LocalFolderStore(_folder.Path, Clock);
    }

    protected override IObjectStore Store => _store;

    protected override bool ExpectedImmutable => false;

    [Fact]
    public void Capabilities_Description_SaysItIsNotImmutable()
    {
        Assert.Contains("NOT immutable", _store.Capabilities.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutNew_Completed_LeavesNoTemporaryFile()
    {
        await _store.PutNewAsync("data/aa/x", new byte[] { 1, 2, 3 }.AsMemory(), null, Ct);
        await Assert.ThrowsAsync<ObjectStoreException>(() => _store.PutNewAsync("data/aa/x", new byte[] { 9 }.AsMemory(), null, Ct));

        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder.Combine("tmp")));
        Assert.True(File.Exists(_folder.Combine("objects", "data", "aa", "x")));
    }

    [Fact]
    public async Task ExtendRetention_NewStoreOnSameFolder_SeesRecordedRetention()
    {
        var until = Future(TimeSpan.FromDays(4));
        await _store.PutNewAsync("index/i", new byte[] { 1 }.AsMemory(), until, Ct);

        var reopened = new LocalFolderStore(_folder.Path, Clock);

        Assert.Equal(new ObjectRetention(RetentionMode.Compliance, until), await reopened.GetRetentionAsync("index/i", Ct));
    }

    public void Dispose() => _folder.Dispose();
}
