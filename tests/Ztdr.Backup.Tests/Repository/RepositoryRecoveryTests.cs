using System.Security.Cryptography;
using Ztdr.Backup.Archiving;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Repository;
using Ztdr.Backup.Restoring;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Stores;
using Ztdr.Testing;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Repository;

/// <summary>
/// An interrupted backup leaves packs that no index lists; <see cref="Repo.RecoverUnindexedPacksAsync"/> indexes them
/// so the next backup deduplicates against them instead of uploading the same blobs again.
/// </summary>
public sealed class RepositoryRecoveryTests : IDisposable
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    private const int PackTarget = 256 * 1024;
    private const int FileCount = 24;

    private readonly ManualTimeProvider _time = new(RepositoryTests.Start);
    private readonly MemoryObjectStore _memory;
    private readonly ObservedStore _store;
    private readonly TemporaryDirectory _folder = new("recovery");

    public RepositoryRecoveryTests()
    {
        _memory = new MemoryObjectStore(_time);
        _store = new ObservedStore(_memory);
        var source = Directory.CreateDirectory(_folder.Combine("src")).FullName;
        for (var i = 0; i < FileCount; i++)
        {
            // Random, so nothing compresses and every file is its own blob: packs fill at a predictable pace.
            File.WriteAllBytes(Path.Combine(source, $"file{i:D2}.bin"), RandomNumberGenerator.GetBytes(100 * 1024 + (i * 1000)));
        }
    }

    private static CancellationToken Ct => CancellationToken.None;

    private string Source => _folder.Combine("src");

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Backup_InterruptedAfterThreePacks_NextBackupUploadsNoneOfTheirBlobsAndRestoresIdentically(bool cancelled)
    {
        using (var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, PackTarget, cancellationToken: Ct))
        {
            using var cancel = new CancellationTokenSource();
            if (cancelled)
            {
                // Ctrl-C as the fourth pack starts to go out: the user stops the run, nothing fails. Counted at the
                // start of each upload, not at its end: packs upload concurrently, so "three finished" is a race.
                var started = 0;
                _store.BeforePut = (name, _) =>
                {
                    if (name.StartsWith(RepositoryObjectNames.DataPrefix, StringComparison.Ordinal) && Interlocked.Increment(ref started) > 3)
                    {
                        cancel.Cancel();
                        throw new OperationCanceledException(cancel.Token);
                    }

                    return Task.CompletedTask;
                };
            }
            else
            {
                _store.FailPackUploadsAfter = 3;
            }

            var archiver = new Archiver(repository, new SnapshotCatalog(_store, repository), _time);
            var error = await Assert.ThrowsAnyAsync<Exception>(() => archiver.BackupAsync(new BackupRequest([Source]), cancel.Token));
            Assert.IsAssignableFrom(cancelled ? typeof(OperationCanceledException) : typeof(ObjectStoreException), error);
        }

        Assert.Equal(3, _store.PackPuts.Count);
        Assert.Empty(await NamesAsync(SnapshotCatalog.Prefix));
        Assert.Empty(await NamesAsync(RepositoryObjectNames.IndexPrefix));
        _store.BeforePut = null;
        _store.FailPackUploadsAfter = null;
        _store.ResetCounts();

        using var next = await Repo.OpenAsync(_store, "secret", _time, Ct);
        var recovery = await next.RecoverUnindexedPacksAsync(Ct);

        Assert.Equal(3, recovery.RecoveredPacks.Count);
        Assert.Empty(recovery.Skipped);
        Assert.Equal([RepositoryObjectNames.Index(recovery.IndexId!.Value)], _store.Puts);
        var recoveredBlobs = recovery.RecoveredPacks.SelectMany(p => next.Index.Packs[p].Entries).Select(e => e.Id).ToHashSet();
        Assert.NotEmpty(recoveredBlobs);

        var catalog = new SnapshotCatalog(_store, next);
        var summary = await new Archiver(next, catalog, _time).BackupAsync(new BackupRequest([Source]), Ct);

        // Every pack this run uploaded holds only blobs the interrupted run had not uploaded.
        var newPacks = _store.PackPuts.Select(ParsePackId).ToList();
        Assert.NotEmpty(newPacks);
        var reuploaded = newPacks.SelectMany(p => next.Index.Packs[p].Entries).Where(e => recoveredBlobs.Contains(e.Id)).ToList();
        Assert.Empty(reuploaded);
        var recoveredFileBytes = recovery.RecoveredPacks.SelectMany(p => next.Index.Packs[p].Entries).Where(e => e.Type == BlobType.Data).Sum(e => (long)e.RawLength);
        Assert.True(recoveredFileBytes > 0);

        // What was added is the rest of the files plus a few KiB of directory trees.
        Assert.InRange(summary.AddedBytes, summary.BytesRead - recoveredFileBytes, summary.BytesRead - recoveredFileBytes + (64 * 1024));
        Assert.True(recovery.RecoveredPacks.All(next.ReferencedPacks.Contains), "the snapshot depends on the recovered packs, so coverage locks them");

        var target = _folder.Combine("restored");
        await new Restorer(next).RestoreAsync(await catalog.LoadAsync(summary.SnapshotId, Ct), target, new RestoreOptions(), Ct);
        foreach (var file in Directory.EnumerateFiles(Source))
        {
            Assert.Equal(await File.ReadAllBytesAsync(file, Ct), await File.ReadAllBytesAsync(BackedUpPath.Under(target, Source, Path.GetFileName(file)), Ct));
        }
    }

    [Fact]
    public async Task Recover_PackOfAnotherRepositoryUnderAnUnusedName_IsReportedAndNeverIndexed()
    {
        using var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, PackTarget, cancellationToken: Ct);
        await BackupAsync(repository);

        // A well-formed pack sealed under another master key: what someone who can write to the bucket could plant.
        var foreignStore = new MemoryObjectStore(_time);
        using (var foreign = await Repo.InitAsync(foreignStore, "other", Retention, _time, RepositoryTests.TestKdf, PackTarget, cancellationToken: Ct))
        {
            await foreign.SaveBlobAsync(BlobType.Data, RandomNumberGenerator.GetBytes(5000), Ct);
            await foreign.FlushAsync(Ct);
        }

        var planted = (await NamesAsync(RepositoryObjectNames.DataPrefix, foreignStore)).Single();
        await _memory.PutNewAsync(planted, await RepositoryTests.ReadAllAsync(foreignStore, planted), _time.GetUtcNow().AddDays(30), Ct);
        var garbage = RepositoryObjectNames.Pack(ObjectId.NewRandom());
        await _memory.PutNewAsync(garbage, RandomNumberGenerator.GetBytes(3000), _time.GetUtcNow().AddDays(30), Ct);
        var indexesBefore = await NamesAsync(RepositoryObjectNames.IndexPrefix);

        using var next = await Repo.OpenAsync(_store, "secret", _time, Ct);
        var recovery = await next.RecoverUnindexedPacksAsync(Ct);

        Assert.Empty(recovery.RecoveredPacks);
        Assert.Null(recovery.IndexId);
        Assert.Equal(2, recovery.Skipped.Count);
        Assert.Contains(recovery.Skipped, s => s.StartsWith(planted, StringComparison.Ordinal));
        Assert.Contains(recovery.Skipped, s => s.StartsWith(garbage, StringComparison.Ordinal));
        Assert.Equal(indexesBefore, await NamesAsync(RepositoryObjectNames.IndexPrefix));
        Assert.All(next.Index.Packs.Keys, id => Assert.NotEqual(planted, RepositoryObjectNames.Pack(id)));
    }

    [Fact]
    public async Task Recover_AfterCompleteBackup_WritesNothing()
    {
        using (var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, PackTarget, cancellationToken: Ct))
        {
            await BackupAsync(repository);
        }

        _store.ResetCounts();
        using var next = await Repo.OpenAsync(_store, "secret", _time, Ct);
        var recovery = await next.RecoverUnindexedPacksAsync(Ct);

        Assert.Empty(recovery.RecoveredPacks);
        Assert.Null(recovery.IndexId);
        Assert.Empty(_store.Puts);
    }

    [Fact]
    public async Task Recover_FortyFiveDaysAfterInterruption_TakesRetentionFromStorageAndNextSnapshotExtendsIt()
    {
        using (var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, PackTarget, cancellationToken: Ct))
        {
            _store.FailPackUploadsAfter = 2;
            await Assert.ThrowsAsync<ObjectStoreException>(() => BackupAsync(repository));
            _store.FailPackUploadsAfter = null;
        }

        // A later lock than the interrupted run used (someone extended it): recovery must take what storage says.
        var firstPack = _store.PackPuts[0];
        var stored = (await _memory.GetRetentionAsync(firstPack, Ct))!.RetainUntil;
        await _memory.ExtendRetentionAsync(firstPack, stored.AddDays(3), Ct);

        _time.Advance(TimeSpan.FromDays(45));
        using var next = await Repo.OpenAsync(_store, "secret", _time, Ct);
        var recovery = await next.RecoverUnindexedPacksAsync(Ct);

        Assert.Equal(2, recovery.RecoveredPacks.Count);
        foreach (var pack in recovery.RecoveredPacks)
        {
            var actual = (await _memory.GetRetentionAsync(RepositoryObjectNames.Pack(pack), Ct))!.RetainUntil;
            Assert.Equal(actual, next.KnownRetainUntil(pack));
            Assert.Equal(actual, next.Index.Packs[pack].RetainUntil);
            Assert.True(actual < _time.GetUtcNow(), "the interrupted run's locks have expired by now");
        }

        Assert.Equal(stored.AddDays(3), next.KnownRetainUntil(ParsePackId(firstPack)));

        var target = next.RunRetainUntil;
        var checkedAtSnapshot = false;
        _store.BeforePut = async (name, ct) =>
        {
            if (name.StartsWith(SnapshotCatalog.Prefix, StringComparison.Ordinal))
            {
                foreach (var pack in recovery.RecoveredPacks)
                {
                    Assert.True((await _memory.GetRetentionAsync(RepositoryObjectNames.Pack(pack), ct))!.Covers(target), $"pack {pack} not extended before the snapshot");
                }

                Assert.True((await _memory.GetRetentionAsync(RepositoryObjectNames.Index(recovery.IndexId!.Value), ct))!.Covers(target));
                checkedAtSnapshot = true;
            }
        };
        await BackupAsync(next);
        Assert.True(checkedAtSnapshot);
    }

    internal static ObjectId ParsePackId(string name) =>
        RepositoryObjectNames.TryParseId(name, RepositoryObjectNames.DataPrefix, out var id) ? id : throw new ArgumentException(name, nameof(name));

    private Task<BackupSummary> BackupAsync(Repo repository) =>
        new Archiver(repository, new SnapshotCatalog(_store, repository), _time).BackupAsync(new BackupRequest([Source]), Ct);

    private async Task<List<string>> NamesAsync(string prefix, IObjectStore? store = null)
    {
        var names = new List<string>();
        await foreach (var item in (store ?? _store).ListAsync(prefix, Ct))
        {
            names.Add(item.Name);
        }

        return names;
    }
}
