using System.Security.Cryptography;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Tests.Stores;

/// <summary>
/// The one contract every <see cref="IObjectStore"/> must meet (STYLE habit 4). Each implementation's test class
/// derives from this and supplies a fresh, empty store per test; the facts here run once per implementation.
/// </summary>
public abstract class ObjectStoreConformance
{
    /// <summary>The store as the backup writes to it (on S3: the backup key).</summary>
    protected abstract IObjectStore Store { get; }

    /// <summary>The store as prune deletes from it (on S3: the maintenance key).</summary>
    protected virtual IObjectStore PruneStore => Store;

    /// <summary>"Now" as the store's lock clock sees it.</summary>
    protected abstract DateTimeOffset Now { get; }

    protected abstract bool ExpectedImmutable { get; }

    protected static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task PutNew_NewName_GetReturnsSameBytes()
    {
        var data = Bytes(1000, seed: 1);
        await Store.PutNewAsync("data/ab/one", new MemoryStream(data), null, Ct);

        Assert.Equal(data, await ReadAllAsync("data/ab/one"));
    }

    [Fact]
    public async Task PutNew_FromMemory_GetReturnsSameBytes()
    {
        var data = Bytes(777, seed: 2);
        await Store.PutNewAsync("keys/k1", data.AsMemory(), null, Ct);

        Assert.Equal(data, await ReadAllAsync("keys/k1"));
    }

    [Fact]
    public async Task Get_Range_ReturnsExactlyThoseBytes()
    {
        var data = Bytes(4096, seed: 3);
        await Store.PutNewAsync("packs/p", data.AsMemory(), null, Ct);

        Assert.Equal(data[100..350], await ReadAllAsync("packs/p", new ByteRange(100, 250)));
        Assert.Equal(data[4000..], await ReadAllAsync("packs/p", new ByteRange(4000, 1000)));
        Assert.Empty(await ReadAllAsync("packs/p", new ByteRange(5000, 10)));
    }

    [Fact]
    public async Task List_Prefix_ReturnsNamesAndSizesInOrder()
    {
        await Store.PutNewAsync("index/b", Bytes(20, 4).AsMemory(), null, Ct);
        await Store.PutNewAsync("index/a", Bytes(10, 5).AsMemory(), null, Ct);
        await Store.PutNewAsync("data/00/x", Bytes(5, 6).AsMemory(), null, Ct);
        await Store.PutNewAsync("indexes", Bytes(1, 7).AsMemory(), null, Ct);

        var index = await ListAsync("index/");
        var all = await ListAsync(string.Empty);
        var none = await ListAsync("snapshots/");

        Assert.Equal([new ObjectInfo("index/a", 10), new ObjectInfo("index/b", 20)], index);
        Assert.Equal(["data/00/x", "index/a", "index/b", "indexes"], all.Select(o => o.Name));
        Assert.Empty(none);
    }

    [Fact]
    public async Task ListVersions_WrittenOnce_ListsEachNameOnceInOrderAndReadsByVersion()
    {
        var b = Bytes(20, 40);
        await Store.PutNewAsync("snapshots/b", b.AsMemory(), null, Ct);
        await Store.PutNewAsync("snapshots/a", Bytes(10, 41).AsMemory(), null, Ct);
        await Store.PutNewAsync("snapshotz", Bytes(1, 42).AsMemory(), null, Ct);

        var versions = new List<ObjectVersion>();
        await foreach (var version in Store.ListVersionsAsync("snapshots/", Ct))
        {
            versions.Add(version);
        }

        Assert.Equal(["snapshots/a", "snapshots/b"], versions.Select(v => v.Name));
        Assert.Equal([10L, 20L], versions.Select(v => v.Size));
        Assert.All(versions, v => Assert.False(v.IsDeleteMarker));
        Assert.Equal(Store.Capabilities.KeepsVersions, versions.All(v => v.VersionId is not null));
        await using var stream = await Store.GetVersionAsync("snapshots/b", versions[1].VersionId, cancellationToken: Ct);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, Ct);
        Assert.Equal(b, buffer.ToArray());
    }

    [Fact]
    public async Task GetVersion_NullVersion_IsTheCurrentBytesAndMissingNameIsNotFound()
    {
        var data = Bytes(300, 43);
        await Store.PutNewAsync("index/v", data.AsMemory(), null, Ct);

        await using (var stream = await Store.GetVersionAsync("index/v", null, new ByteRange(10, 20), Ct))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, Ct);
            Assert.Equal(data[10..30], buffer.ToArray());
        }

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => Store.GetVersionAsync("index/missing", null, cancellationToken: Ct));
        Assert.Equal(StoreErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task Exists_PresentAndMissing_ReportsEach()
    {
        await Store.PutNewAsync("config", Bytes(3, 8).AsMemory(), null, Ct);

        Assert.True(await Store.ExistsAsync("config", Ct));
        Assert.False(await Store.ExistsAsync("missing", Ct));
    }

    [Fact]
    public async Task PutNew_ExistingNameDifferentContent_ThrowsAlreadyExistsAndKeepsOriginal()
    {
        var original = Bytes(100, seed: 9);
        await Store.PutNewAsync("snapshots/s", original.AsMemory(), null, Ct);

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => Store.PutNewAsync("snapshots/s", Bytes(100, seed: 10).AsMemory(), null, Ct));

        Assert.Equal(StoreErrorKind.AlreadyExists, error.Kind);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(original, await ReadAllAsync("snapshots/s"));
    }

    [Fact]
    public async Task PutNew_ExistingNameSameContent_SucceedsAsIdempotentRetry()
    {
        var data = Bytes(100, seed: 11);
        await Store.PutNewAsync("data/cd/retry", data.AsMemory(), null, Ct);

        await Store.PutNewAsync("data/cd/retry", new MemoryStream(data), null, Ct);

        Assert.Equal(data, await ReadAllAsync("data/cd/retry"));
    }

    [Fact]
    public async Task PutNew_SameContentRetryWithLaterRetention_ExtendsToIt()
    {
        var data = Bytes(64, seed: 12);
        var first = Future(TimeSpan.FromHours(1));
        var later = Future(TimeSpan.FromHours(5));
        await Store.PutNewAsync("data/ef/r", data.AsMemory(), first, Ct);

        await Store.PutNewAsync("data/ef/r", data.AsMemory(), later, Ct);

        Assert.Equal(new ObjectRetention(RetentionMode.Compliance, later), await Store.GetRetentionAsync("data/ef/r", Ct));
    }

    [Fact]
    public async Task PutNew_NonSeekableSameContent_ThrowsAlreadyExists()
    {
        // The rule needs the bytes again to compare; a stream that cannot be re-read cannot prove they are the same.
        var data = Bytes(64, seed: 13);
        await Store.PutNewAsync("data/ns", data.AsMemory(), null, Ct);

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => Store.PutNewAsync("data/ns", new ForwardOnlyStream(data), null, Ct));

        Assert.Equal(StoreErrorKind.AlreadyExists, error.Kind);
    }

    [Fact]
    public async Task PutNew_WithRetention_IsComplianceUntilThatDate()
    {
        var until = Future(TimeSpan.FromDays(30));
        await Store.PutNewAsync("data/01/locked", Bytes(10, 14).AsMemory(), until, Ct);

        Assert.Equal(new ObjectRetention(RetentionMode.Compliance, until), await Store.GetRetentionAsync("data/01/locked", Ct));
    }

    [Fact]
    public async Task PutNew_WithoutRetention_HasNone()
    {
        await Store.PutNewAsync("data/02/free", Bytes(10, 15).AsMemory(), null, Ct);

        Assert.Null(await Store.GetRetentionAsync("data/02/free", Ct));
    }

    [Fact]
    public async Task PutNew_RetentionInThePast_IsRejected()
    {
        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => Store.PutNewAsync("data/03/past", Bytes(10, 16).AsMemory(), Now.AddDays(-1), Ct));

        Assert.Equal(StoreErrorKind.Rejected, error.Kind);
    }

    [Fact]
    public async Task ExtendRetention_LaterDate_Extends()
    {
        var until = Future(TimeSpan.FromDays(1));
        var later = Future(TimeSpan.FromDays(10));
        await Store.PutNewAsync("data/04/x", Bytes(10, 17).AsMemory(), until, Ct);

        await Store.ExtendRetentionAsync("data/04/x", later, Ct);

        Assert.Equal(new ObjectRetention(RetentionMode.Compliance, later), await Store.GetRetentionAsync("data/04/x", Ct));
    }

    [Fact]
    public async Task ExtendRetention_EarlierDate_NeverShortens()
    {
        var until = Future(TimeSpan.FromDays(10));
        await Store.PutNewAsync("data/05/x", Bytes(10, 18).AsMemory(), until, Ct);

        await Store.ExtendRetentionAsync("data/05/x", Future(TimeSpan.FromDays(2)), Ct);
        await Store.ExtendRetentionAsync("data/05/x", until, Ct);

        Assert.Equal(new ObjectRetention(RetentionMode.Compliance, until), await Store.GetRetentionAsync("data/05/x", Ct));
    }

    [Fact]
    public async Task ExtendRetention_UnlockedObject_LocksIt()
    {
        var until = Future(TimeSpan.FromDays(3));
        await Store.PutNewAsync("data/06/x", Bytes(10, 19).AsMemory(), null, Ct);

        await Store.ExtendRetentionAsync("data/06/x", until, Ct);

        Assert.Equal(new ObjectRetention(RetentionMode.Compliance, until), await Store.GetRetentionAsync("data/06/x", Ct));
    }

    [Fact]
    public async Task Delete_LockedObject_IsDeniedAndObjectKept()
    {
        var data = Bytes(10, 20);
        await Store.PutNewAsync("data/07/locked", data.AsMemory(), Future(TimeSpan.FromDays(1)), Ct);

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => PruneStore.DeleteAsync("data/07/locked", Ct));

        Assert.Equal(StoreErrorKind.AccessDenied, error.Kind);
        Assert.Equal(data, await ReadAllAsync("data/07/locked"));
    }

    [Fact]
    public async Task Delete_UnlockedObject_RemovesIt()
    {
        await Store.PutNewAsync("data/08/free", Bytes(10, 21).AsMemory(), null, Ct);

        await PruneStore.DeleteAsync("data/08/free", Ct);

        Assert.False(await Store.ExistsAsync("data/08/free", Ct));
        Assert.Empty(await ListAsync("data/08/"));
    }

    [Fact]
    public async Task Delete_MissingName_Succeeds()
    {
        await PruneStore.DeleteAsync("data/09/never-written", Ct);

        Assert.False(await Store.ExistsAsync("data/09/never-written", Ct));
    }

    [Fact]
    public async Task Get_MissingObject_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => Store.GetAsync("data/10/missing", null, Ct));

        Assert.Equal(StoreErrorKind.NotFound, error.Kind);
        Assert.Contains("data/10/missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetRetention_MissingObject_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => Store.GetRetentionAsync("data/11/missing", Ct));

        Assert.Equal(StoreErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task ExtendRetention_MissingObject_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => Store.ExtendRetentionAsync("data/12/missing", Future(TimeSpan.FromDays(1)), Ct));

        Assert.Equal(StoreErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task PutNew_LargeObject_StreamsRoundTrip()
    {
        const int size = 20 << 20;
        var path = Path.Combine(Path.GetTempPath(), "ztdr-tests", "large-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            await using (var file = File.Create(path))
            {
                var block = Bytes(1 << 20, seed: 22);
                for (var i = 0; i < size >> 20; i++)
                {
                    block[0] = (byte)i;
                    await file.WriteAsync(block, Ct);
                }
            }

            byte[] expected;
            await using (var source = File.OpenRead(path))
            {
                expected = await SHA256.HashDataAsync(source, Ct);
                source.Position = 0;
                await Store.PutNewAsync("packs/large", source, Future(TimeSpan.FromDays(1)), Ct);
            }

            await using var body = await Store.GetAsync("packs/large", null, Ct);
            Assert.Equal(expected, await SHA256.HashDataAsync(body, Ct));
            Assert.Equal([new ObjectInfo("packs/large", size)], await ListAsync("packs/"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Capabilities_Immutable_SaysWhatTheStoreIs()
    {
        Assert.Equal(ExpectedImmutable, Store.Capabilities.Immutable);
        Assert.False(string.IsNullOrWhiteSpace(Store.Capabilities.Description));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/abs")]
    [InlineData("a//b")]
    [InlineData("../escape")]
    [InlineData("a/./b")]
    [InlineData("back\\slash")]
    public async Task PutNew_InvalidName_ThrowsArgumentException(string name)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.PutNewAsync(name, Bytes(1, 23).AsMemory(), null, Ct));
    }

    /// <summary>A retain-until date the store's clock sees as <paramref name="ahead"/> in the future, at whole seconds.</summary>
    protected DateTimeOffset Future(TimeSpan ahead)
    {
        var now = Now;
        return new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero) + ahead;
    }

    protected async Task<byte[]> ReadAllAsync(string name, ByteRange? range = null)
    {
        await using var body = await Store.GetAsync(name, range, Ct);
        using var copy = new MemoryStream();
        await body.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }

    protected async Task<List<ObjectInfo>> ListAsync(string prefix)
    {
        var found = new List<ObjectInfo>();
        await foreach (var item in Store.ListAsync(prefix, Ct))
        {
            found.Add(item);
        }

        return found;
    }

    protected static byte[] Bytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private sealed class ForwardOnlyStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
