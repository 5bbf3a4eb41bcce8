using Ztdr.Backup.Archiving;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Pruning;
using Ztdr.Backup.Restoring;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Repository;
using Ztdr.Backup.Tests.Stores;
using Ztdr.Testing;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Pruning;

/// <summary>
/// Prune on the compliance fake with a hand-moved clock: two backups share a file, the first is forgotten. With a
/// pack target of one byte every blob is its own pack, so "unreferenced" is exact per blob.
/// </summary>
public sealed class PrunerTests : IDisposable
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly MemoryObjectStore _store;
    private readonly TemporaryDirectory _directory = new("prune");

    public PrunerTests()
    {
        _store = new MemoryObjectStore(_time);
        File.WriteAllBytes(Directory.CreateDirectory(_directory.Combine("one")).FullName + "/shared.bin", Bytes(1, 200_000));
        File.WriteAllBytes(_directory.Combine("one", "only1.bin"), Bytes(2, 300_000));
        File.WriteAllBytes(Directory.CreateDirectory(_directory.Combine("two")).FullName + "/shared.bin", Bytes(1, 200_000));
        File.WriteAllBytes(_directory.Combine("two", "only2.bin"), Bytes(3, 250_000));
    }

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Prune_BeforeLocksExpire_DeletesNothingAndReportsLocked()
    {
        var (first, _) = await TwoBackupsForgetFirstAsync(packTargetSize: 1);
        var before = await NamesAsync();

        using var repository = await Repo.OpenAsync(_store, "secret", _time, Ct);
        var pruner = new Pruner(_store, _store, repository, _time);
        var plan = await pruner.PlanAsync(Ct);
        var result = await pruner.ExecuteAsync(plan, Ct);

        Assert.Empty(plan.Deletable);
        Assert.Equal(0, result.DeletedCount);
        Assert.Empty(result.NewIndexObjects);
        Assert.Equal(before, await NamesAsync());

        // The forgotten snapshot and its packs (its folder's tree, the trees above it, one file) wait for their locks.
        Assert.Contains(result.StillLocked, c => c.Kind == PruneObjectKind.Snapshot && c.Id == first);
        Assert.Equal(2 + TreesAbove, result.StillLocked.Count(c => c.Kind == PruneObjectKind.Pack));
        Assert.All(result.StillLocked, c => Assert.True(c.Retention!.RetainUntil > _time.GetUtcNow()));
    }

    [Fact]
    public async Task Prune_AfterLocksExpire_DeletesExactlyUnreferencedPacks_KeptSnapshotRestores()
    {
        var (first, second) = await TwoBackupsForgetFirstAsync(packTargetSize: 1);
        var packsBefore = await NamesAsync("data/");
        var neededBySecond = await PacksReachableFromAsync(second);
        Assert.Equal(5 + (2 * TreesAbove), packsBefore.Count);
        Assert.Equal(3 + TreesAbove, neededBySecond.Count);
        _time.Advance(TimeSpan.FromDays(60));

        PruneResult result;
        using (var repository = await Repo.OpenAsync(_store, "secret", _time, Ct))
        {
            var pruner = new Pruner(_store, _store, repository, _time);
            result = await pruner.ExecuteAsync(await pruner.PlanAsync(Ct), Ct);
        }

        Assert.Equal(neededBySecond.Order(StringComparer.Ordinal), await NamesAsync("data/"));
        Assert.Equal(2 + TreesAbove, result.Deleted[PruneObjectKind.Pack].Count);
        Assert.Equal([SnapshotCatalog.Name(second)], await NamesAsync(SnapshotCatalog.Prefix));
        Assert.Empty(await NamesAsync(ForgottenMarker.Prefix));
        Assert.Equal(result.NewIndexObjects.Select(id => "index/" + id).Order(StringComparer.Ordinal), await NamesAsync("index/"));
        Assert.Empty(result.StillLocked);

        using var reopened = await Repo.OpenAsync(_store, "secret", _time, Ct);
        var catalog = new SnapshotCatalog(_store, reopened);
        var (id, snapshot) = Assert.Single(await catalog.ListAsync(includeForgotten: true, Ct));
        Assert.Equal(second, id);
        await AssertEveryBlobLoadsAsync(reopened, snapshot);
        var target = _directory.Combine("restored");
        await new Restorer(reopened).RestoreAsync(snapshot, target, new RestoreOptions(), Ct);
        Assert.Equal(File.ReadAllBytes(_directory.Combine("two", "only2.bin")), File.ReadAllBytes(BackedUpPath.Under(target, _directory.Combine("two"), "only2.bin")));
        Assert.Equal(File.ReadAllBytes(_directory.Combine("two", "shared.bin")), File.ReadAllBytes(BackedUpPath.Under(target, _directory.Combine("two"), "shared.bin")));
        _ = first;
    }

    [Fact]
    public async Task Prune_PartlyUsedPackAfterExpiry_IsRepacked_OldPackDeleted_KeptSnapshotRestores()
    {
        var (_, second) = await TwoBackupsForgetFirstAsync(packTargetSize: 16 * 1024 * 1024);
        var packsBefore = await NamesAsync("data/");
        _time.Advance(TimeSpan.FromDays(60));

        PruneResult result;
        using (var repository = await Repo.OpenAsync(_store, "secret", _time, Ct))
        {
            var pruner = new Pruner(_store, _store, repository, _time);
            var plan = await pruner.PlanAsync(Ct);

            // The first backup's data pack holds shared.bin (still used) and only1.bin (not).
            Assert.Equal(1, plan.PartlyUsedPacks);
            Assert.Equal(1, plan.RepackCount);
            Assert.True(plan.UnusedBytesInPartlyUsedPacks > 300_000);
            result = await pruner.ExecuteAsync(plan, Ct);
        }

        var repacked = Assert.Single(result.NewPacks);
        Assert.Single(repacked.Entries);
        var packsAfter = await NamesAsync("data/");
        Assert.Contains(RepositoryObjectNamesPack(repacked.PackId), packsAfter);
        Assert.Equal(packsBefore.Count - 2, packsAfter.Count - 1);
        Assert.Equal(2, result.Deleted[PruneObjectKind.Pack].Count);

        using var reopened = await Repo.OpenAsync(_store, "secret", _time, Ct);
        var snapshot = await new SnapshotCatalog(_store, reopened).LoadAsync(second, Ct);
        await AssertEveryBlobLoadsAsync(reopened, snapshot);
        var target = _directory.Combine("repacked");
        await new Restorer(reopened).RestoreAsync(snapshot, target, new RestoreOptions(), Ct);
        Assert.Equal(File.ReadAllBytes(_directory.Combine("two", "shared.bin")), File.ReadAllBytes(BackedUpPath.Under(target, _directory.Combine("two"), "shared.bin")));
        var lockOfCopy = await _store.GetRetentionAsync(RepositoryObjectNamesPack(repacked.PackId), Ct);
        Assert.True(lockOfCopy!.RetainUntil >= snapshot.RetainUntil, "the copy is locked at least as long as the snapshot that needs it");
    }

    [Fact]
    public async Task Prune_WithoutRepack_PartlyUsedPackIsKeptWhole()
    {
        await TwoBackupsForgetFirstAsync(packTargetSize: 16 * 1024 * 1024);
        _time.Advance(TimeSpan.FromDays(60));
        using var repository = await Repo.OpenAsync(_store, "secret", _time, Ct);
        var partlyUsed = repository.Index.Packs.Values.Single(p => p.Entries.Count == 2 && p.Entries.All(e => e.Type == BlobType.Data)).PackId;

        var pruner = new Pruner(_store, _store, repository, _time);
        var plan = await pruner.PlanAsync(repack: false, Ct);
        var result = await pruner.ExecuteAsync(plan, Ct);

        Assert.Equal(1, plan.PartlyUsedPacks);
        Assert.Equal(0, plan.RepackCount);
        Assert.Empty(result.NewPacks);
        Assert.True(await _store.ExistsAsync(RepositoryObjectNamesPack(partlyUsed), Ct));
    }

    private static string RepositoryObjectNamesPack(ObjectId id) => "data/" + id.ToString()[..2] + "/" + id;

    [Fact]
    public async Task Prune_BackupExtendsPackLockBetweenPlanAndDelete_PackStaysIndexedAndNewSnapshotRestores()
    {
        await TwoBackupsForgetFirstAsync(packTargetSize: 1);
        _time.Advance(TimeSpan.FromDays(60));
        using var pruning = await Repo.OpenAsync(_store, "secret", _time, Ct);
        var pruner = new Pruner(_store, _store, pruning, _time);
        var plan = await pruner.PlanAsync(Ct);
        var deletable = plan.Deletable.Where(c => c.Kind == PruneObjectKind.Pack).Select(c => RepositoryObjectNamesPack(c.Id)).ToHashSet();
        Assert.Equal(2 + TreesAbove, deletable.Count);

        // A backup of the forgotten folder dedupes against the packs prune is about to delete, and extends their locks
        // before it commits its snapshot (lock coverage). At least only1.bin's, the folder's tree and the tree of the
        // test's own folder above it; the trees higher up hold the metadata of folders parallel tests change (/tmp).
        ObjectId again;
        using (var backingUp = await Repo.OpenAsync(_store, "secret", _time, Ct))
        {
            again = (await BackupAsync(backingUp, "one")).SnapshotId;
        }

        var reused = deletable.Intersect(await PacksReachableFromAsync(again)).ToHashSet();
        Assert.True(reused.Count >= 3, $"{reused.Count} of {deletable.Count} packs reused");
        var result = await pruner.ExecuteAsync(plan, Ct);

        Assert.Equal(deletable.Count - reused.Count, result.Deleted.GetValueOrDefault(PruneObjectKind.Pack).Count);
        Assert.Equal(reused.Order(StringComparer.Ordinal), result.StillLocked.Where(c => c.Kind == PruneObjectKind.Pack).Select(c => RepositoryObjectNamesPack(c.Id)).Order(StringComparer.Ordinal));
        using var reopened = await Repo.OpenAsync(_store, "secret", _time, Ct);
        var snapshot = await new SnapshotCatalog(_store, reopened).LoadAsync(again, Ct);
        await AssertEveryBlobLoadsAsync(reopened, snapshot);
        var target = _directory.Combine("again");
        await new Restorer(reopened).RestoreAsync(snapshot, target, new RestoreOptions(), Ct);
        Assert.Equal(File.ReadAllBytes(_directory.Combine("one", "only1.bin")), File.ReadAllBytes(BackedUpPath.Under(target, _directory.Combine("one"), "only1.bin")));
    }

    [Fact]
    public async Task Backup_DedupingAgainstPackPruneDeleted_FailsWithoutSnapshot()
    {
        await TwoBackupsForgetFirstAsync(packTargetSize: 1);
        _time.Advance(TimeSpan.FromDays(60));

        // The backup loaded the index before prune deleted the packs it is about to dedupe against.
        using var backingUp = await Repo.OpenAsync(_store, "secret", _time, Ct);
        using (var pruning = await Repo.OpenAsync(_store, "secret", _time, Ct))
        {
            var pruner = new Pruner(_store, _store, pruning, _time);
            await pruner.ExecuteAsync(await pruner.PlanAsync(Ct), Ct);
        }

        var snapshotsBefore = await NamesAsync(SnapshotCatalog.Prefix);
        var failure = await Assert.ThrowsAsync<ObjectStoreException>(() => BackupAsync(backingUp, "one"));

        Assert.Equal(StoreErrorKind.NotFound, failure.Kind);
        Assert.Equal(snapshotsBefore, await NamesAsync(SnapshotCatalog.Prefix));
    }

    [Fact]
    public async Task Prune_SecondRunAfterMoreForgets_SupersedesEveryEarlierIndexSoNoneComesBack()
    {
        var (_, second) = await TwoBackupsForgetFirstAsync(packTargetSize: 1);
        _time.Advance(TimeSpan.FromDays(60));
        await PruneAsync();

        // A third backup, then forget the second: the index prune wrote is replaced in turn.
        ObjectId third;
        using (var repository = await Repo.OpenAsync(_store, "secret", _time, Ct))
        {
            third = (await BackupAsync(repository, "one")).SnapshotId;
            await new SnapshotCatalog(_store, repository).ForgetAsync([second], _time.GetUtcNow(), Ct);
        }

        _time.Advance(TimeSpan.FromDays(60));
        var result = await PruneAsync();

        // The second backup's own file, its folder's tree and the trees above it; shared.bin stays for the third.
        Assert.Equal(2 + TreesAbove, result.Deleted[PruneObjectKind.Pack].Count);
        using var reopened = await Repo.OpenAsync(_store, "secret", _time, Ct);
        var catalog = new SnapshotCatalog(_store, reopened);
        Assert.Equal([third], (await catalog.ListAsync(includeForgotten: true, Ct)).Select(s => s.Id));
        await AssertEveryBlobLoadsAsync(reopened, await catalog.LoadAsync(third, Ct));
        Assert.Equal(reopened.Index.Packs.Count, (await NamesAsync("data/")).Count);
    }

    [Fact]
    public async Task Plan_KeptSnapshotMissingABlob_ThrowsAndDeletesNothing()
    {
        var (_, second) = await TwoBackupsForgetFirstAsync(packTargetSize: 1);
        _time.Advance(TimeSpan.FromDays(60));
        var neededBySecond = await PacksReachableFromAsync(second);

        // Storage lost one of the kept snapshot's packs: prune must not "clean up" around the damage.
        await _store.DeleteAsync(neededBySecond.First(), Ct);
        var before = await NamesAsync();
        using var repository = await Repo.OpenAsync(_store, "secret", _time, Ct);

        var pruner = new Pruner(_store, _store, repository, _time);
        var failure = await Record.ExceptionAsync(async () => await pruner.PlanAsync(Ct));

        Assert.IsType<RepositoryFormatException>(failure);
        Assert.Equal(before, await NamesAsync());
    }

    [Fact]
    public async Task Plan_BackupFinishedAfterIndexLoaded_StopsWithRunAgain_DeletesNothing()
    {
        await TwoBackupsForgetFirstAsync(packTargetSize: 1);
        _time.Advance(TimeSpan.FromDays(60));
        using var pruning = await Repo.OpenAsync(_store, "secret", _time, Ct);
        File.WriteAllBytes(Directory.CreateDirectory(_directory.Combine("three")).FullName + "/new.bin", Bytes(4, 10_000));
        using (var backingUp = await Repo.OpenAsync(_store, "secret", _time, Ct))
        {
            await BackupAsync(backingUp, "three");
        }

        var before = await NamesAsync();
        var failure = await Assert.ThrowsAsync<RepositoryFormatException>(() => new Pruner(_store, _store, pruning, _time).PlanAsync(Ct));

        Assert.Contains("run prune again", failure.Message, StringComparison.Ordinal);
        Assert.Equal(before, await NamesAsync());
    }

    private async Task<PruneResult> PruneAsync()
    {
        using var repository = await Repo.OpenAsync(_store, "secret", _time, Ct);
        var pruner = new Pruner(_store, _store, repository, _time);
        return await pruner.ExecuteAsync(await pruner.PlanAsync(Ct), Ct);
    }

    /// <summary>Backs up "one", an hour later "two" (sharing shared.bin), then forgets the first snapshot.</summary>
    // The trees above a backed-up folder (snapshot format 2): the root's and one per folder above it. Two backups of
    // different folders share none of them, each naming its own folder.
    private int TreesAbove => 1 + BackedUpPath.FoldersAbove(_directory.Combine("one"));

    private async Task<(ObjectId First, ObjectId Second)> TwoBackupsForgetFirstAsync(int packTargetSize)
    {
        using var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, packTargetSize, cancellationToken: Ct);
        var first = (await BackupAsync(repository, "one")).SnapshotId;
        _time.Advance(TimeSpan.FromHours(1));
        var second = (await BackupAsync(repository, "two")).SnapshotId;
        var catalog = new SnapshotCatalog(_store, repository);
        Assert.NotNull(await catalog.ForgetAsync([first], _time.GetUtcNow(), Ct));
        return (first, second);
    }

    private Task<BackupSummary> BackupAsync(Repo repository, string folder) =>
        new Archiver(repository, new SnapshotCatalog(_store, repository), _time)
            .BackupAsync(new BackupRequest([_directory.Combine(folder)]) { Hostname = "test", Username = "tester" }, Ct);

    private async Task<List<string>> PacksReachableFromAsync(ObjectId snapshotId)
    {
        using var repository = await Repo.OpenAsync(_store, "secret", _time, Ct);
        var snapshot = await new SnapshotCatalog(_store, repository).LoadAsync(snapshotId, Ct);
        var blobs = new HashSet<BlobId>();
        var trees = new HashSet<BlobId>();
        await foreach (var entry in TreeWalker.WalkAsync(repository, snapshot.Tree, trees, Ct))
        {
            blobs.UnionWith(entry.Node?.Content ?? []);
        }

        blobs.UnionWith(trees);
        return [.. blobs.Select(b => repository.Index.TryGet(b, out var location) ? location.PackId : throw new KeyNotFoundException(b.ToString()))
            .Distinct().Select(p => "data/" + p.ToString()[..2] + "/" + p)];
    }

    private static async Task AssertEveryBlobLoadsAsync(Repo repository, Snapshot snapshot)
    {
        await foreach (var entry in TreeWalker.WalkAsync(repository, snapshot.Tree, cancellationToken: Ct))
        {
            Assert.Null(entry.Error);
            foreach (var blob in entry.Node?.Content ?? [])
            {
                Assert.NotEmpty(await repository.LoadBlobAsync(blob, Ct));
            }
        }
    }

    private async Task<List<string>> NamesAsync(string prefix = "")
    {
        var names = new List<string>();
        await foreach (var item in _store.ListAsync(prefix, Ct))
        {
            names.Add(item.Name);
        }

        return names;
    }

    private static byte[] Bytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
