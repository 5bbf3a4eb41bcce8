using Ztdr.Backup.Crypto;
using Ztdr.Backup.Repository;
using Ztdr.Backup.Restoring;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Repository;
using Ztdr.Backup.Tests.Stores;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Restoring;

public sealed class PackReadAheadTests
{
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task LoadAsync_SmallBlobsOfOnePackInOrder_OneRequestAndEveryBlobExact()
    {
        var store = new MemoryObjectStore(_time);
        var (ids, contents) = await SaveAsync(store, count: 200);
        using var repository = await Repo.OpenAsync(store, "secret", _time, Ct);
        var readAhead = new PackReadAhead(repository, ids);

        for (var i = 0; i < ids.Count; i++)
        {
            Assert.Equal(contents[i], await readAhead.LoadAsync(ids[i], Ct));
        }

        Assert.Equal(1, readAhead.Requests);
    }

    [Fact]
    public async Task LoadAsync_ConcurrentLoaders_EveryBlobExactAndFewRequests()
    {
        var store = new MemoryObjectStore(_time);
        var (ids, contents) = await SaveAsync(store, count: 300);
        using var repository = await Repo.OpenAsync(store, "secret", _time, Ct);
        var readAhead = new PackReadAhead(repository, ids);

        await Parallel.ForAsync(0, ids.Count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, token) =>
            Assert.Equal(contents[i], await readAhead.LoadAsync(ids[i], token)));

        Assert.InRange(readAhead.Requests, 1, 20);
    }

    [Fact]
    public async Task LoadAsync_BlobUsedTwice_SecondUseServedWithoutAnotherRequestForItsWindow()
    {
        var store = new MemoryObjectStore(_time);
        var (ids, contents) = await SaveAsync(store, count: 3);
        using var repository = await Repo.OpenAsync(store, "secret", _time, Ct);
        var readAhead = new PackReadAhead(repository, [ids[0], ids[1], ids[2], ids[2]]);

        Assert.Equal(contents[0], await readAhead.LoadAsync(ids[0], Ct));
        Assert.Equal(contents[2], await readAhead.LoadAsync(ids[2], Ct));
        Assert.Equal(contents[2], await readAhead.LoadAsync(ids[2], Ct));
        Assert.Equal(contents[1], await readAhead.LoadAsync(ids[1], Ct));

        Assert.Equal(1, readAhead.Requests);
    }

    [Fact]
    public async Task LoadAsync_NeighbourTamperedInStorage_FailsAuthenticationForItAloneOthersLoad()
    {
        var store = new MemoryObjectStore(_time);
        var (ids, contents) = await SaveAsync(store, count: 20);
        var damaged = await CopyWithFlippedByteAsync(store, ids[10]);
        using var repository = await Repo.OpenAsync(damaged, "secret", _time, Ct);
        var readAhead = new PackReadAhead(repository, ids);

        for (var i = 0; i < ids.Count; i++)
        {
            if (i == 10)
            {
                await Assert.ThrowsAsync<CryptographicIntegrityException>(() => readAhead.LoadAsync(ids[i], Ct));
            }
            else
            {
                Assert.Equal(contents[i], await readAhead.LoadAsync(ids[i], Ct));
            }
        }
    }

    [Fact]
    public async Task LoadAsync_BlobInNoIndex_ThrowsKeyNotFound()
    {
        var store = new MemoryObjectStore(_time);
        await SaveAsync(store, count: 1);
        using var repository = await Repo.OpenAsync(store, "secret", _time, Ct);
        var missing = new BlobId(new byte[32]);

        await Assert.ThrowsAsync<KeyNotFoundException>(() => new PackReadAhead(repository, [missing]).LoadAsync(missing, Ct));
    }

    private async Task<(List<BlobId> Ids, List<byte[]> Contents)> SaveAsync(MemoryObjectStore store, int count)
    {
        using var repository = await Repo.InitAsync(store, "secret", TimeSpan.FromDays(30), _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        var random = new Random(5);
        var ids = new List<BlobId>();
        var contents = new List<byte[]>();
        for (var i = 0; i < count; i++)
        {
            var content = new byte[random.Next(100, 4000)];
            random.NextBytes(content);
            ids.Add(await repository.SaveBlobAsync(BlobType.Data, content, Ct));
            contents.Add(content);
        }

        await repository.FlushAsync(Ct);
        return (ids, contents);
    }

    // A copy of the store where one byte in the middle of blob <paramref name="id"/>'s sealed unit is flipped.
    private async Task<MemoryObjectStore> CopyWithFlippedByteAsync(MemoryObjectStore store, BlobId id)
    {
        using var repository = await Repo.OpenAsync(store, "secret", _time, Ct);
        Assert.True(repository.TryLocate(id, out var location));
        var copy = new MemoryObjectStore(_time);
        await foreach (var item in store.ListAsync("", Ct))
        {
            byte[] data;
            await using (var stream = await store.GetAsync(item.Name, cancellationToken: Ct))
            using (var buffer = new MemoryStream())
            {
                await stream.CopyToAsync(buffer, Ct);
                data = buffer.ToArray();
            }

            if (item.Name == RepositoryObjectNames.Pack(location.PackId))
            {
                data[location.Entry.Offset + (location.Entry.SealedLength / 2)] ^= 0x20;
            }

            await copy.PutNewAsync(item.Name, data, (await store.GetRetentionAsync(item.Name, Ct))?.RetainUntil, Ct);
        }

        return copy;
    }
}
