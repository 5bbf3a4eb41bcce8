using Ztdr.Backup.Archiving;
using Ztdr.Backup.Copying;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Restoring;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Tests.Stores;
using Ztdr.Testing;
using Repo = Ztdr.Backup.Repository.Repository;
using RepositoryObjectNames = Ztdr.Backup.Repository.RepositoryObjectNames;
using RepositoryOpenOptions = Ztdr.Backup.Repository.RepositoryOpenOptions;

namespace Ztdr.Backup.Tests.Copying;

/// <content>How many requests a copy makes to the source: few large ranged reads, not one per blob or per folder.</content>
public sealed partial class CopierTests
{
    [Fact]
    public async Task CopyAsync_FolderOfSmallFiles_ReadsNeighbouringBlobsInFewRequests()
    {
        var folder = Path.Combine(_tree.Root, "small");
        Directory.CreateDirectory(folder);
        for (var i = 0; i < 40; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, $"f{i:00}.txt"), $"small file {i} {Guid.NewGuid()}", Ct);
        }

        await InitAsync();
        using (var repository = await Repo.OpenAsync(_source, "source-secret", _time, Ct))
        {
            await new Archiver(repository, new SnapshotCatalog(_source, repository), _time).BackupAsync(new BackupRequest([folder]), Ct);
        }

        var observed = new ObservedStore(_source);
        CopySummary summary;
        using (var source = await Repo.OpenAsync(observed, "source-secret", _time, Ct))
        using (var target = await Repo.OpenAsync(_target, "target-secret", _time, Ct))
        {
            observed.ResetCounts();
            summary = await new Copier(source, new SnapshotCatalog(observed, source), _target, target, new SnapshotCatalog(_target, target)).CopyAsync(null, null, Ct);
        }

        // 40 data blobs in one pack, and one tree per folder from the root down: one request per blob before.
        var packReads = observed.Gets.Where(g => g.Key.StartsWith(RepositoryObjectNames.DataPrefix, StringComparison.Ordinal)).Sum(g => g.Value);
        Assert.InRange(packReads, 1, BackedUpPath.FoldersAbove(folder) + 3);
        Assert.True(summary.BlobsStored >= 40, $"{summary.BlobsStored} blobs stored");
        using var reopened = await Repo.OpenAsync(_target, "target-secret", _time, Ct);
        var (_, snapshot) = Assert.Single(await new SnapshotCatalog(_target, reopened).ListAsync(Ct));
        var restored = Path.Combine(_tree.Root, "restored-small");
        await new Restorer(reopened).RestoreAsync(snapshot, restored, new RestoreOptions(), Ct);
        AssertSameFiles(folder, BackedUpPath.Under(restored, folder));
    }

    [Fact]
    public async Task CopyAsync_SmallFilesOverManyFolders_ReadsEachSourcePackOnce()
    {
        var many = Path.Combine(_tree.Root, "many");
        const int folders = 40;
        for (var f = 0; f < folders; f++)
        {
            var folder = Path.Combine(many, $"d{f:00}");
            Directory.CreateDirectory(folder);
            for (var i = 0; i < 10; i++)
            {
                await File.WriteAllTextAsync(Path.Combine(folder, $"f{i}.txt"), $"small file {f}/{i} {Guid.NewGuid()}", Ct);
            }
        }

        await InitAsync();
        using (var repository = await Repo.OpenAsync(_source, "source-secret", _time, Ct))
        {
            await new Archiver(repository, new SnapshotCatalog(_source, repository), _time).BackupAsync(new BackupRequest([many]), Ct);
        }

        var sourcePacks = 0;
        await foreach (var _ in _source.ListAsync(RepositoryObjectNames.DataPrefix, Ct))
        {
            sourcePacks++;
        }

        // Meaningful only while the packs are far fewer than the folders: one tree pack and one data pack here.
        Assert.InRange(sourcePacks, 2, folders / 4);

        // With the tree cache, as the CLI runs: a tree pack is fetched whole once, so every other pack read is a window
        // of data blobs. Planned per folder, those windows were one per folder (40 and more requests).
        using var cache = new TemporaryDirectory("copy-cache");
        var observed = new ObservedStore(_source);
        using (var source = await Repo.OpenAsync(observed, "source-secret", new RepositoryOpenOptions { CacheRoot = cache.Path }, _time, Ct))
        using (var target = await Repo.OpenAsync(_target, "target-secret", _time, Ct))
        {
            observed.ResetCounts();
            await new Copier(source, new SnapshotCatalog(observed, source), _target, target, new SnapshotCatalog(_target, target)).CopyAsync(null, null, Ct);
        }

        var packReads = observed.Gets.Where(g => g.Key.StartsWith(RepositoryObjectNames.DataPrefix, StringComparison.Ordinal)).ToList();
        Assert.All(packReads, g => Assert.Equal(1, g.Value));
        Assert.InRange(packReads.Count, 1, sourcePacks);
        using var reopened = await Repo.OpenAsync(_target, "target-secret", _time, Ct);
        var (_, snapshot) = Assert.Single(await new SnapshotCatalog(_target, reopened).ListAsync(Ct));
        var restored = Path.Combine(_tree.Root, "restored-many");
        await new Restorer(reopened).RestoreAsync(snapshot, restored, new RestoreOptions(), Ct);
        AssertSameFiles(many, BackedUpPath.Under(restored, many));
    }

    [Fact]
    public async Task VerifyTargetAsync_CacheFilledFromStorage_ReadsEachTargetTreePackOnceAndPasses()
    {
        var many = Path.Combine(_tree.Root, "checked");
        for (var f = 0; f < 30; f++)
        {
            var folder = Path.Combine(many, $"d{f:00}");
            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(Path.Combine(folder, "f.txt"), $"file {f} {Guid.NewGuid()}", Ct);
        }

        await InitAsync();
        using (var repository = await Repo.OpenAsync(_source, "source-secret", _time, Ct))
        {
            await new Archiver(repository, new SnapshotCatalog(_source, repository), _time).BackupAsync(new BackupRequest([many]), Ct);
        }

        var observed = new ObservedStore(_target);
        using var cache = new TemporaryDirectory("copy-check-cache");
        using var source = await Repo.OpenAsync(_source, "source-secret", _time, Ct);
        using var target = await Repo.OpenAsync(observed, "target-secret", _time, Ct);
        var copier = new Copier(source, new SnapshotCatalog(_source, source), observed, target, new SnapshotCatalog(observed, target));
        await copier.CopyAsync(null, null, Ct);

        // As the CLI checks a copy's target: trees read back from storage, a pack at a time, never from the uploads.
        target.UseCacheFilledFromStorage(cache.Path);
        observed.ResetCounts();
        var report = await copier.VerifyTargetAsync(Ct);

        Assert.True(report.Passed);
        var treePacks = target.Index.Packs.Where(p => p.Value.Entries.Any(e => e.Type == BlobType.Tree)).Select(p => RepositoryObjectNames.Pack(p.Key)).ToHashSet();
        var treePackReads = observed.Gets.Where(g => treePacks.Contains(g.Key)).ToList();
        Assert.Equal(treePacks.Count, treePackReads.Count);
        Assert.All(treePackReads, g => Assert.Equal(1, g.Value));
    }
}
