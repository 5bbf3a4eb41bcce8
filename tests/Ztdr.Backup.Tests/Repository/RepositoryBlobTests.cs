using System.Security.Cryptography;
using System.Text;
using Ztdr.Backup.Compression;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Repository;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Stores;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Repository;

public sealed class RepositoryBlobTests
{
    private readonly ManualTimeProvider _time = new(RepositoryTests.Start);
    private readonly MemoryObjectStore _store;

    public RepositoryBlobTests() => _store = new MemoryObjectStore(_time);

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task LoadBlobAsync_AfterFlushAndReopen_ReturnsSameBytes()
    {
        var blobs = Enumerable.Range(0, 20).Select(i => RandomNumberGenerator.GetBytes(1000 + (i * 500))).ToList();
        var tree = Encoding.UTF8.GetBytes("{\"nodes\":[]}");
        var ids = new List<BlobId>();
        BlobId treeId;
        using (var repository = await InitAsync(packTargetSize: 8 * 1024))
        {
            foreach (var blob in blobs)
            {
                ids.Add(await repository.SaveBlobAsync(BlobType.Data, blob, Ct));
            }

            treeId = await repository.SaveBlobAsync(BlobType.Tree, tree, Ct);
            await repository.FlushAsync(Ct);
        }

        using var reopened = await Repo.OpenAsync(_store, "secret", _time, Ct);

        for (var i = 0; i < blobs.Count; i++)
        {
            Assert.Equal(blobs[i], await reopened.LoadBlobAsync(ids[i], Ct));
        }

        Assert.Equal(tree, await reopened.LoadBlobAsync(treeId, Ct));
        Assert.Equal(21, reopened.Index.BlobCount);
    }

    /// <summary>
    /// Copy hands over the source's compression unit. A stored (uncompressed) unit of text that zstd would shrink tells
    /// the two paths apart: sealed as given, it loads back as the same stored unit; compressed again, it would not.
    /// </summary>
    [Fact]
    public async Task StoreCompressedBlobAsync_GivenUnit_SealedAsItIsAndLoadsBackToThePlaintext()
    {
        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("the same words again and again ", 400)));
        byte[] storedUnit = [BlobCompressor.StoredFlag, .. text];
        BlobId given;
        BlobId compressed;
        using (var repository = await InitAsync())
        {
            (given, var stored) = await repository.StoreCompressedBlobAsync(BlobType.Data, text, storedUnit, Ct);
            Assert.True(stored);
            compressed = await repository.SaveBlobAsync(BlobType.Data, text.Append((byte)'!').ToArray(), Ct);
            await repository.FlushAsync(Ct);
        }

        using var reopened = await Repo.OpenAsync(_store, "secret", _time, Ct);
        var loaded = await reopened.LoadBlobUnitAsync(given, Ct);
        Assert.Equal(text, loaded.Raw);
        Assert.Equal(storedUnit, loaded.Unit);
        Assert.Equal(BlobCompressor.ZstdFlag, (await reopened.LoadBlobUnitAsync(compressed, Ct)).Unit[0]);
        await Assert.ThrowsAsync<ArgumentException>(() => reopened.StoreCompressedBlobAsync(BlobType.Data, text, ReadOnlyMemory<byte>.Empty, Ct));
    }

    [Fact]
    public async Task SaveBlobAsync_FullPacks_UploadedSeparatelyForDataAndTrees()
    {
        using var repository = await InitAsync(packTargetSize: 4 * 1024);
        for (var i = 0; i < 10; i++)
        {
            await repository.SaveBlobAsync(BlobType.Data, RandomNumberGenerator.GetBytes(1500), Ct);
        }

        var before = await CountAsync("data/");
        await repository.SaveBlobAsync(BlobType.Tree, Encoding.UTF8.GetBytes("{\"nodes\":[1]}"), Ct);
        await repository.FlushAsync(Ct);

        Assert.True(before >= 3, $"full packs are uploaded while saving ({before})");
        Assert.Equal(before + 2, await CountAsync("data/"));
        Assert.Equal(1, await CountAsync("index/"));
        var treePacks = repository.Index.Packs.Values.Where(p => p.Entries.Any(e => e.Type == BlobType.Tree)).ToList();
        Assert.Single(treePacks);
        Assert.All(treePacks[0].Entries, e => Assert.Equal(BlobType.Tree, e.Type));
    }

    [Fact]
    public async Task SaveBlobAsync_SameContentTwice_StoredOnce()
    {
        var blob = RandomNumberGenerator.GetBytes(5000);
        using (var repository = await InitAsync())
        {
            var first = await repository.SaveBlobAsync(BlobType.Data, blob, Ct);
            var second = await repository.SaveBlobAsync(BlobType.Data, blob, Ct);
            Assert.Equal(first, second);
            await repository.FlushAsync(Ct);
        }

        using var reopened = await Repo.OpenAsync(_store, "secret", _time, Ct);
        var objectsBefore = await CountAsync(string.Empty);
        await reopened.SaveBlobAsync(BlobType.Data, blob, Ct);
        await reopened.FlushAsync(Ct);

        Assert.Equal(1, reopened.Index.BlobCount);
        Assert.Equal(objectsBefore, await CountAsync(string.Empty));
    }

    [Fact]
    public async Task FlushAsync_Objects_LockedUntilRunGeneration()
    {
        using var repository = await InitAsync();
        await repository.SaveBlobAsync(BlobType.Data, RandomNumberGenerator.GetBytes(100), Ct);
        await repository.FlushAsync(Ct);

        var expected = new ObjectRetention(RetentionMode.Compliance, repository.Config.Lock.Generation(RepositoryTests.Start + TimeSpan.FromDays(30)));
        await foreach (var item in _store.ListAsync(cancellationToken: Ct))
        {
            Assert.Equal(expected, await _store.GetRetentionAsync(item.Name, Ct));
        }
    }

    [Fact]
    public async Task LoadBlobAsync_UnknownId_ThrowsKeyNotFound()
    {
        using var repository = await InitAsync();

        await Assert.ThrowsAsync<KeyNotFoundException>(() => repository.LoadBlobAsync(new BlobId(new byte[32]), Ct));
    }

    [Fact]
    public async Task StoreBlobAsync_ManyThreadsSameAndDistinctContent_EachIdStoredExactlyOnce()
    {
        var distinct = Enumerable.Range(0, 40).Select(i => RandomNumberGenerator.GetBytes(2000 + i)).ToList();
        using (var repository = await InitAsync(packTargetSize: 16 * 1024))
        {
            // Every blob saved by 8 callers at once, across small packs that fill and upload concurrently.
            var saves = Enumerable.Range(0, 8)
                .SelectMany(_ => distinct.Select(blob => Task.Run(() => repository.StoreBlobAsync(BlobType.Data, blob, Ct))))
                .ToList();
            var results = await Task.WhenAll(saves);
            await repository.FlushAsync(Ct);

            Assert.Equal(distinct.Count, results.Count(r => r.Stored));
            Assert.Equal(distinct.Count, results.Where(r => r.Stored).Select(r => r.Id).Distinct().Count());
            Assert.Equal(distinct.Count, repository.Index.Packs.Values.Sum(p => p.Entries.Count));
            Assert.Equal(repository.Index.Packs.Count, repository.ReferencedPacks.Count);
            Assert.Equal(repository.Index.Packs.Count, repository.PacksUploaded);
        }

        using var reopened = await Repo.OpenAsync(_store, "secret", _time, Ct);
        foreach (var blob in distinct)
        {
            Assert.Equal(blob, await reopened.LoadBlobAsync(await reopened.SaveBlobAsync(BlobType.Data, blob, Ct), Ct));
        }
    }

    [Fact]
    public async Task ReferenceBlobs_KnownBlobs_AddsTheirPacks_UnknownBlob_ReferencesNothing()
    {
        var blobs = Enumerable.Range(0, 6).Select(i => RandomNumberGenerator.GetBytes(3000)).ToList();
        var ids = new List<BlobId>();
        using (var repository = await InitAsync(packTargetSize: 4 * 1024))
        {
            foreach (var blob in blobs)
            {
                ids.Add(await repository.SaveBlobAsync(BlobType.Data, blob, Ct));
            }

            await repository.FlushAsync(Ct);
        }

        using var reopened = await Repo.OpenAsync(_store, "secret", _time, Ct);
        Assert.Empty(reopened.ReferencedPacks);

        Assert.False(reopened.ReferenceBlobs([ids[0], new BlobId(new byte[32])]));
        Assert.Empty(reopened.ReferencedPacks);

        Assert.True(reopened.ReferenceBlobs(ids[..3]));
        var expected = ids[..3].Select(id => { reopened.Index.TryGet(id, out var location); return location.PackId; }).ToHashSet();
        Assert.Equal(expected, reopened.ReferencedPacks.ToHashSet());
        Assert.True(expected.Count > 1, "the blobs span several packs");
    }

    private Task<Repo> InitAsync(int packTargetSize = RepositoryConfig.DefaultPackTargetSize) =>
        Repo.InitAsync(_store, "secret", TimeSpan.FromDays(30), _time, RepositoryTests.TestKdf, packTargetSize, cancellationToken: Ct);

    private async Task<int> CountAsync(string prefix)
    {
        var count = 0;
        await foreach (var unused in _store.ListAsync(prefix, Ct))
        {
            count++;
        }

        return count;
    }
}
