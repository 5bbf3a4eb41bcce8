using Ztdr.Backup.Archiving;
using Ztdr.Backup.Copying;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Restoring;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Archiving;
using Ztdr.Backup.Tests.Repository;
using Ztdr.Backup.Tests.Stores;
using Ztdr.Testing;
using Repo = Ztdr.Backup.Repository.Repository;
using RepositoryObjectNames = Ztdr.Backup.Repository.RepositoryObjectNames;

namespace Ztdr.Backup.Tests.Copying;

/// <summary>Copies between two repositories with different passwords and master keys, so every blob id differs.</summary>
public sealed partial class CopierTests : IDisposable
{
    private static readonly TimeSpan SourceRetention = TimeSpan.FromDays(30);
    private static readonly TimeSpan TargetRetention = TimeSpan.FromDays(90);
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly MemoryObjectStore _source;
    private readonly MemoryObjectStore _target;
    private readonly GeneratedTree _tree = new();

    public CopierTests()
    {
        _source = new MemoryObjectStore(_time);
        _target = new MemoryObjectStore(_time);
    }

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task CopyAsync_ToRepositoryWithOtherKeys_RestoresByteForByteAndVerifies()
    {
        await InitAsync();
        var sourceId = await BackupAsync();

        var summary = await CopyAsync();

        var copied = Assert.Single(summary.Copied);
        Assert.Equal(sourceId, copied.Source);
        Assert.True(summary.BlobsStored > 0);
        using var target = await Repo.OpenAsync(_target, "target-secret", _time, Ct);
        var catalog = new SnapshotCatalog(_target, target);
        var (id, snapshot) = Assert.Single(await catalog.ListAsync(Ct));
        Assert.Equal(copied.Target, id);
        Assert.Contains(Copier.CopyOfTag(sourceId), snapshot.Tags);
        Assert.Equal(target.Config.Lock.RetainUntilForRunAt(_time.GetUtcNow()), snapshot.RetainUntil);

        var restored = Path.Combine(_tree.Root, "restored");
        await new Restorer(target).RestoreAsync(snapshot, restored, new RestoreOptions(), Ct);
        AssertSameFiles(_tree.Source, BackedUpPath.Under(restored, _tree.Source));

        var report = await new Copier(null!, null!, _target, target, catalog).VerifyTargetAsync(Ct);
        Assert.True(report.Passed, string.Join("; ", report.Findings.Select(f => f.ToString())));
        Assert.True(report.LockCoverageChecked);
    }

    [Fact]
    public async Task CopyAsync_SourcePacksOverwrittenByImpostors_CopiesTheAuthenticVersionsAndNamesTheImpostors()
    {
        await InitAsync();
        await BackupAsync();
        var packs = new List<string>();
        await foreach (var item in _source.ListAsync(RepositoryObjectNames.DataPrefix, Ct))
        {
            packs.Add(item.Name);
        }

        foreach (var pack in packs)
        {
            _source.PutVersion(pack, new byte[1000], _time.GetUtcNow().AddYears(1));
        }

        using (var source = await Repo.OpenAsync(_source, "source-secret", _time, Ct))
        using (var target = await Repo.OpenAsync(_target, "target-secret", _time, Ct))
        {
            await new Copier(source, new SnapshotCatalog(_source, source), _target, target, new SnapshotCatalog(_target, target)).CopyAsync(null, null, Ct);
            Assert.Equal(packs.Order(StringComparer.Ordinal), source.Impostors.Found.Select(i => i.Name).Distinct().Order(StringComparer.Ordinal));
        }

        using var reopened = await Repo.OpenAsync(_target, "target-secret", _time, Ct);
        var (_, snapshot) = Assert.Single(await new SnapshotCatalog(_target, reopened).ListAsync(Ct));
        var restored = Path.Combine(_tree.Root, "restored-authentic");
        await new Restorer(reopened).RestoreAsync(snapshot, restored, new RestoreOptions(), Ct);
        AssertSameFiles(_tree.Source, BackedUpPath.Under(restored, _tree.Source));
    }

    [Fact]
    public async Task CopyAsync_Twice_SecondCopiesNothing()
    {
        await InitAsync();
        var sourceId = await BackupAsync();
        await CopyAsync();
        var objectsAfterFirst = await CountObjectsAsync(_target);

        var second = await CopyAsync();

        Assert.Empty(second.Copied);
        Assert.Equal([sourceId], second.Skipped);
        Assert.Equal(0, second.BlobsStored);
        Assert.Equal(objectsAfterFirst, await CountObjectsAsync(_target));
    }

    [Fact]
    public async Task CopyAsync_AfterNewSourceSnapshot_StoresOnlyNewBlobs()
    {
        await InitAsync();
        await BackupAsync();
        await CopyAsync();
        await File.WriteAllTextAsync(Path.Combine(_tree.Source, "docs", "deep", "new.txt"), "a new file", Ct);

        // Past the generation: the reused packs must be extended to the new copy's retain-until, or verify fails.
        _time.Advance(TimeSpan.FromDays(8));
        var second = await BackupAsync();

        var summary = await CopyAsync();

        var copied = Assert.Single(summary.Copied);
        Assert.Equal(second, copied.Source);
        Assert.Single(summary.Skipped);

        // The new file's one data blob, plus the trees on its path that changed: deep, docs, src, and the trees above src
        // down from the root (the root's and one per folder above src: snapshot format 2 mirrors the absolute path).
        var changed = 1 + 3 + 1 + BackedUpPath.FoldersAbove(_tree.Source);
        Assert.Equal(changed, summary.BlobsStored);

        // Only those are read from the source: everything else is known from the first copy.
        Assert.Equal(changed, summary.BlobsRead);
        using var target = await Repo.OpenAsync(_target, "target-secret", _time, Ct);
        var catalog = new SnapshotCatalog(_target, target);
        var snapshots = await catalog.ListAsync(Ct);
        Assert.Equal(2, snapshots.Count);
        var restored = Path.Combine(_tree.Root, "restored-2");
        await new Restorer(target).RestoreAsync(snapshots.Single(s => s.Id == copied.Target).Snapshot, restored, new RestoreOptions(), Ct);
        AssertSameFiles(_tree.Source, BackedUpPath.Under(restored, _tree.Source));
        Assert.Equal(snapshots[0].Id, snapshots[1].Snapshot.Parent);
        var report = await new Copier(null!, null!, _target, target, catalog).VerifyTargetAsync(Ct);
        Assert.True(report.Passed, string.Join("; ", report.Findings.Select(f => f.ToString())));
    }

    [Fact]
    public async Task CopyAsync_InterruptedBeforeIndexing_NextCopyReusesUploadedPacks()
    {
        await InitAsync();
        await BackupAsync();
        var broken = new ObservedStore(_target)
        {
            BeforePut = (name, _) => name.StartsWith(RepositoryObjectNames.IndexPrefix, StringComparison.Ordinal)
                ? throw new ObjectStoreException(StoreErrorKind.Unavailable, "storage went away")
                : Task.CompletedTask,
        };
        using (var source = await Repo.OpenAsync(_source, "source-secret", _time, Ct))
        using (var target = await Repo.OpenAsync(broken, "target-secret", _time, Ct))
        {
            await Assert.ThrowsAsync<ObjectStoreException>(() =>
                new Copier(source, new SnapshotCatalog(_source, source), broken, target, new SnapshotCatalog(broken, target)).CopyAsync(null, null, Ct));
        }

        Assert.NotEmpty(broken.PackPuts);

        var summary = await CopyAsync();

        Assert.Single(summary.Copied);
        Assert.Equal(broken.PackPuts.Count, summary.PacksRecovered);
        Assert.Equal(0, summary.BlobsStored);
        using var reopened = await Repo.OpenAsync(_target, "target-secret", _time, Ct);
        var catalog = new SnapshotCatalog(_target, reopened);
        var restored = Path.Combine(_tree.Root, "restored-resumed");
        await new Restorer(reopened).RestoreAsync(Assert.Single(await catalog.ListAsync(Ct)).Snapshot, restored, new RestoreOptions(), Ct);
        AssertSameFiles(_tree.Source, BackedUpPath.Under(restored, _tree.Source));
        Assert.True((await new Copier(null!, null!, _target, reopened, catalog).VerifyTargetAsync(Ct)).Passed);
    }

    [Fact]
    public async Task CopyAsync_SelectedSnapshot_CopiesOnlyIt()
    {
        await InitAsync();
        var first = await BackupAsync();
        _time.Advance(TimeSpan.FromHours(1));
        await BackupAsync();
        using var source = await Repo.OpenAsync(_source, "source-secret", _time, Ct);
        var sourceCatalog = new SnapshotCatalog(_source, source);
        using var target = await Repo.OpenAsync(_target, "target-secret", _time, Ct);

        var summary = await new Copier(source, sourceCatalog, _target, target, new SnapshotCatalog(_target, target))
            .CopyAsync([(first, await sourceCatalog.LoadAsync(first, Ct))], null, Ct);

        Assert.Equal(first, Assert.Single(summary.Copied).Source);
        Assert.Single(await new SnapshotCatalog(_target, target).ListAsync(Ct));
    }

    [Fact]
    public async Task PlanAsync_BeforeAndAfterCopy_NamesWhatIsMissingAndWritesNothing()
    {
        await InitAsync();
        var sourceId = await BackupAsync();
        var before = await CountObjectsAsync(_target);

        var plan = await PlanAsync();

        Assert.Equal([sourceId], plan.ToCopy);
        Assert.Empty(plan.Skipped);
        Assert.True(plan.BlobsToRead > 1 && plan.BytesToRead > 0);
        Assert.Equal(before, await CountObjectsAsync(_target));

        var summary = await CopyAsync();
        // An empty target: every distinct blob read is new there, so the bound is exact.
        Assert.Equal(plan.BlobsToRead, summary.BlobsRead);
        Assert.Equal(plan.BlobsToRead, summary.BlobsStored);
        Assert.Equal(plan.BytesToRead, summary.BytesStored);
        var after = await PlanAsync();

        Assert.Empty(after.ToCopy);
        Assert.Equal([sourceId], after.Skipped);
        Assert.Equal(0, after.BlobsToRead);
    }

    [Fact]
    public async Task CopyAsync_WithProgress_ReportsBlobsAsTheyAreStored()
    {
        await InitAsync();
        await BackupAsync();
        var reports = new List<CopyProgress>();

        using var source = await Repo.OpenAsync(_source, "source-secret", _time, Ct);
        using var target = await Repo.OpenAsync(_target, "target-secret", _time, Ct);
        var summary = await new Copier(source, new SnapshotCatalog(_source, source), _target, target, new SnapshotCatalog(_target, target))
            .CopyAsync(null, new Progress(reports), Ct);

        Assert.True(reports.Count > summary.Copied.Count, "progress only at snapshot ends");
        Assert.Equal(new CopyProgress(1, 1, summary.BlobsRead, summary.BlobsStored, summary.BytesStored), reports[^1]);
        Assert.All(reports, r => Assert.Equal(1, r.SnapshotsTotal));
    }

    private async Task<CopyPlan> PlanAsync()
    {
        using var source = await Repo.OpenAsync(_source, "source-secret", _time, Ct);
        using var target = await Repo.OpenAsync(_target, "target-secret", _time, Ct);
        return await new Copier(source, new SnapshotCatalog(_source, source), _target, target, new SnapshotCatalog(_target, target)).PlanAsync(null, Ct);
    }

    [Fact]
    public async Task CopyAsync_FormatOneSnapshot_StaysFormatOneAndRestoresUnderLastComponent()
    {
        await InitAsync();
        var backup = await BackupAsync();
        using (var repository = await Repo.OpenAsync(_source, "source-secret", _time, Ct))
        {
            // A format 1 snapshot: the root tree holds the backed-up folder's node under its last component.
            var catalog = new SnapshotCatalog(_source, repository);
            var snapshot = await catalog.LoadAsync(backup, Ct);
            var (above, _) = await PathTrees.AlongAsync(repository, snapshot.Tree, _tree.Source);
            var node = Assert.Single((await Tree.LoadAsync(repository, above[^1], Ct)).Nodes);
            var root = await new Tree([node]).SaveAsync(repository, Ct);
            await catalog.ForgetAsync([backup], _time.GetUtcNow(), Ct);
            await catalog.SaveAsync(snapshot with { Version = 1, Tree = root }, Ct);
        }

        Assert.Single((await CopyAsync()).Copied);

        using var target = await Repo.OpenAsync(_target, "target-secret", _time, Ct);
        var copied = Assert.Single(await new SnapshotCatalog(_target, target).ListAsync(Ct)).Snapshot;
        Assert.Equal(1, copied.Version);
        var restored = Path.Combine(_tree.Root, "restored-v1");
        await new Restorer(target).RestoreAsync(copied, restored, new RestoreOptions(), Ct);
        AssertSameFiles(_tree.Source, Path.Combine(restored, "src"));
    }

    /// <summary>Synchronous, unlike <see cref="Progress{T}"/>, so the list is complete when the copy returns.</summary>
    private sealed class Progress(List<CopyProgress> reports) : IProgress<CopyProgress>
    {
        public void Report(CopyProgress value) => reports.Add(value);
    }

    private async Task InitAsync()
    {
        using (await Repo.InitAsync(_source, "source-secret", SourceRetention, _time, RepositoryTests.TestKdf, cancellationToken: Ct))
        {
        }

        using (await Repo.InitAsync(_target, "target-secret", TargetRetention, _time, RepositoryTests.TestKdf, cancellationToken: Ct))
        {
        }
    }

    private async Task<ObjectId> BackupAsync()
    {
        using var repository = await Repo.OpenAsync(_source, "source-secret", _time, Ct);
        var summary = await new Archiver(repository, new SnapshotCatalog(_source, repository), _time).BackupAsync(new BackupRequest([_tree.Source]), Ct);
        return summary.SnapshotId;
    }

    // Each copy runs in fresh sessions, as the CLI does: everything it knows comes from the stores.
    private async Task<CopySummary> CopyAsync()
    {
        using var source = await Repo.OpenAsync(_source, "source-secret", _time, Ct);
        using var target = await Repo.OpenAsync(_target, "target-secret", _time, Ct);
        return await new Copier(source, new SnapshotCatalog(_source, source), _target, target, new SnapshotCatalog(_target, target)).CopyAsync(null, null, Ct);
    }

    private static async Task<int> CountObjectsAsync(IObjectStore store)
    {
        var count = 0;
        await foreach (var _ in store.ListAsync("", Ct))
        {
            count++;
        }

        return count;
    }

    private static void AssertSameFiles(string expected, string actual)
    {
        var expectedFiles = Directory.EnumerateFiles(expected, "*", SearchOption.AllDirectories)
            .Where(f => new FileInfo(f).LinkTarget is null && !f.EndsWith(".sock", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(expected, f)).Order(StringComparer.Ordinal).ToList();
        var actualFiles = Directory.EnumerateFiles(actual, "*", SearchOption.AllDirectories)
            .Where(f => new FileInfo(f).LinkTarget is null)
            .Select(f => Path.GetRelativePath(actual, f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expectedFiles, actualFiles);
        foreach (var file in expectedFiles)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(expected, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, file))), file);
        }
    }
}
