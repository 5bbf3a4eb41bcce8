using System.Security.Cryptography;
using System.Text;
using Ztdr.Backup.Caching;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Repository;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Stores;
using Ztdr.Testing;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Repository;

/// <summary>
/// The local cache of tree packs: a second run reads trees from disk, never trusts the disk more than storage, and
/// never fails a command because of it.
/// </summary>
public sealed class TreeCacheTests : IDisposable
{
    private readonly ManualTimeProvider _time = new(RepositoryTests.Start);
    private readonly ObservedStore _store;
    private readonly TemporaryDirectory _cache = new("tree-cache");

    public TreeCacheTests() => _store = new ObservedStore(new MemoryObjectStore(_time));

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => _cache.Dispose();

    [Fact]
    public async Task LoadBlobAsync_TreesOnASecondOpen_ReadFromDiskWithoutARequest()
    {
        var (trees, _) = await SaveAsync(treeCount: 60);

        using (var first = await OpenAsync())
        {
            _store.ResetCounts();
            await AssertLoadsAsync(first, trees);
            Assert.Equal(first.PacksCached, PackGets);
            Assert.InRange(PackGets, 1, 3);
        }

        using var second = await OpenAsync();
        _store.ResetCounts();
        await AssertLoadsAsync(second, trees);
        Assert.Equal(0, PackGets);
    }

    [Fact]
    public async Task LoadBlobAsync_TreePackUploadedWithCache_NextOpenReadsItWithoutARequest()
    {
        Dictionary<BlobId, byte[]> trees;
        using (await Repo.InitAsync(_store, "secret", TimeSpan.FromDays(30), _time, RepositoryTests.TestKdf, cancellationToken: Ct))
        {
        }

        using (var writer = await OpenAsync())
        {
            trees = await SaveTreesAsync(writer, 20);
            await writer.FlushAsync(Ct);
        }

        using var reader = await OpenAsync();
        _store.ResetCounts();
        await AssertLoadsAsync(reader, trees);
        Assert.Equal(0, PackGets);
    }

    [Fact]
    public async Task LoadBlobAsync_CachedPackTampered_ReadsFromStorageAndEvictsTheFile()
    {
        var (trees, _) = await SaveAsync(treeCount: 10);
        using (var filler = await OpenAsync())
        {
            await AssertLoadsAsync(filler, trees);
        }

        var cached = Assert.Single(PackFiles());
        var bytes = await File.ReadAllBytesAsync(cached, Ct);
        for (var i = 100; i < bytes.Length; i += 97)
        {
            bytes[i] ^= 0x5a;
        }

        await File.WriteAllBytesAsync(cached, bytes, Ct);

        using var reopened = await OpenAsync();
        _store.ResetCounts();
        var (id, expected) = trees.First();
        Assert.Equal(expected, await reopened.LoadBlobAsync(id, Ct));
        Assert.True(PackGets >= 1, "the tampered cache must not serve the blob: storage does");
        Assert.Null(reopened.CacheProblem);
        await AssertLoadsAsync(reopened, trees);
    }

    [Fact]
    public async Task LoadBlobAsync_DataBlob_NeverCached()
    {
        var (_, data) = await SaveAsync(treeCount: 1);
        using var repository = await OpenAsync();

        Assert.Equal(data.Value, await repository.LoadBlobAsync(data.Key, Ct));

        Assert.Empty(PackFiles());
    }

    [Fact]
    public async Task OpenAsync_CachedPackNoLongerIndexed_IsRemovedAndLivePacksStay()
    {
        var (trees, _) = await SaveAsync(treeCount: 5);
        using (var filler = await OpenAsync())
        {
            await AssertLoadsAsync(filler, trees);
        }

        var live = Assert.Single(PackFiles());
        var pruned = ObjectId.NewRandom().ToString();
        var prunedPath = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(live))!, pruned[..2], pruned);
        Directory.CreateDirectory(Path.GetDirectoryName(prunedPath)!);
        await File.WriteAllBytesAsync(prunedPath, [1, 2, 3], Ct);
        await File.WriteAllBytesAsync(live + ".123.4.tmp", [1, 2, 3], Ct);

        using var reopened = await OpenAsync();

        Assert.Equal([live], PackFiles());
        Assert.True(File.Exists(Path.Combine(_cache.Path, PackCache.CacheDirTagName)));
    }

    [Fact]
    public async Task OpenAsync_CacheFolderUnusable_SaysWhyAndReadsFromStorage()
    {
        var (trees, _) = await SaveAsync(treeCount: 5);
        var notAFolder = _cache.Combine("file");
        await File.WriteAllTextAsync(notAFolder, "in the way", Ct);

        using var repository = await Repo.OpenAsync(_store, "secret", new RepositoryOpenOptions { CacheRoot = notAFolder }, _time, Ct);

        await AssertLoadsAsync(repository, trees);
        Assert.Contains("local cache", repository.CacheProblem);
    }

    private Task<Repo> OpenAsync() => Repo.OpenAsync(_store, "secret", new RepositoryOpenOptions { CacheRoot = _cache.Path }, _time, Ct);

    private string[] PackFiles() =>
        Directory.Exists(_cache.Path) ? [.. Directory.EnumerateFiles(_cache.Path, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(PackCache.CacheDirTagName, StringComparison.Ordinal))] : [];

    // Trees (and one data blob) saved without a cache, as another host would have.
    private async Task<(Dictionary<BlobId, byte[]> Trees, KeyValuePair<BlobId, byte[]> Data)> SaveAsync(int treeCount)
    {
        using var repository = await Repo.InitAsync(_store, "secret", TimeSpan.FromDays(30), _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        var trees = await SaveTreesAsync(repository, treeCount);
        var data = RandomNumberGenerator.GetBytes(5000);
        var dataId = await repository.SaveBlobAsync(BlobType.Data, data, Ct);
        await repository.FlushAsync(Ct);
        return (trees, new(dataId, data));
    }

    private static async Task<Dictionary<BlobId, byte[]>> SaveTreesAsync(Repo repository, int count)
    {
        var trees = new Dictionary<BlobId, byte[]>();
        for (var i = 0; i < count; i++)
        {
            var json = Encoding.UTF8.GetBytes($"{{\"nodes\":[{{\"name\":\"folder {i} {Convert.ToHexString(RandomNumberGenerator.GetBytes(16))}\"}}]}}");
            trees[await repository.SaveBlobAsync(BlobType.Tree, json, Ct)] = json;
        }

        return trees;
    }

    private static async Task AssertLoadsAsync(Repo repository, Dictionary<BlobId, byte[]> trees)
    {
        foreach (var (id, json) in trees)
        {
            Assert.Equal(json, await repository.LoadBlobAsync(id, Ct));
        }
    }

    // Reads of packs (data/ names), whole or ranged, since the last reset.
    private int PackGets => _store.Gets.Where(g => g.Key.StartsWith(RepositoryObjectNames.DataPrefix, StringComparison.Ordinal)).Sum(g => g.Value);
}
