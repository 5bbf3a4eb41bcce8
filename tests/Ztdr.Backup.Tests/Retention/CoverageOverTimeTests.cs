using System.Security.Cryptography;
using Xunit.Abstractions;
using Ztdr.Backup.Archiving;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Repository;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Repository;
using Ztdr.Backup.Tests.Stores;
using Ztdr.Testing;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Retention;

/// <summary>
/// Lock coverage (repository-format.md § 11) across real backups of a folder over weeks: packs reused from older
/// snapshots are extended to the new snapshot's generation before its snapshot object exists, and only when the
/// generation changes.
/// </summary>
public sealed class CoverageOverTimeTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    private const int PackTarget = 128 * 1024;

    private readonly ManualTimeProvider _time = new(RepositoryTests.Start);
    private readonly TemporaryDirectory _folder = new("coverage");
    private MemoryObjectStore? _memory;
    private ObservedStore? _store;

    private static CancellationToken Ct => CancellationToken.None;

    private string Source => _folder.Combine("src");

    private MemoryObjectStore Memory => _memory ??= new MemoryObjectStore(_time);

    private ObservedStore Store => _store ??= new ObservedStore(Memory);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Backup_FortyDaysLaterDedupingAgainstFirst_ExtendsItsPacksToNewGenerationBeforeSnapshot()
    {
        WriteFiles(0, 12);
        ObjectId[] firstPacks;
        ObjectId[] firstIndexes;
        HashSet<ObjectId> firstDataPacks;
        long firstBytes;
        using (var repository = await Repo.InitAsync(Store, "secret", Retention, _time, RepositoryTests.TestKdf, PackTarget, cancellationToken: Ct))
        {
            firstBytes = (await BackupAsync(repository)).BytesRead;
            firstPacks = [.. repository.ReferencedPacks];
            firstIndexes = [.. repository.Index.IndexObjectIds];
            firstDataPacks = [.. firstPacks.Where(p => repository.Index.Packs[p].Entries.All(e => e.Type == BlobType.Data))];
        }

        _time.Advance(TimeSpan.FromDays(40));
        WriteFiles(12, 1);
        using var next = await Repo.OpenAsync(Store, "secret", _time, Ct);
        var target = next.RunRetainUntil;
        var firstLock = (await Memory.GetRetentionAsync(RepositoryObjectNames.Pack(firstPacks[0]), Ct))!.RetainUntil;
        Assert.True(firstLock < _time.GetUtcNow(), "the first backup's locks have run out by now");
        Assert.True(firstLock < target);

        var snapshotsWritten = 0;
        Store.BeforePut = async (name, ct) =>
        {
            if (!name.StartsWith(SnapshotCatalog.Prefix, StringComparison.Ordinal))
            {
                return;
            }

            // The moment the snapshot object is about to exist, every object it needs is locked for as long as it:
            // the first backup's data packs (unchanged files), the index objects listing them, config and key.
            var reused = next.ReferencedPacks.Where(firstPacks.Contains).ToList();
            Assert.True(firstDataPacks.IsSubsetOf(reused));
            var needed = next.ReferencedPacks.Select(RepositoryObjectNames.Pack)
                .Concat(reused.SelectMany(next.Index.IndexObjectsOf).Select(RepositoryObjectNames.Index))
                .Append(RepositoryObjectNames.Config)
                .Concat(next.KeyObjects.Keys.Select(RepositoryObjectNames.Key));
            foreach (var dependency in needed)
            {
                var retention = await Memory.GetRetentionAsync(dependency, ct);
                Assert.True(retention?.Covers(target), $"{dependency} locked until {retention?.RetainUntil}, the snapshot until {target}");
            }

            snapshotsWritten++;
        };

        var summary = await BackupAsync(next);

        Assert.Equal(1, snapshotsWritten);
        // The twelve unchanged files are taken from the parent snapshot: their blobs are the first backup's.
        Assert.Equal(12, summary.FilesUnchanged);
        Assert.True(summary.AddedBytes < firstBytes / 4, "the second backup reuses the first's data");
        Assert.True(Store.ExtendCalls >= firstDataPacks.Count + firstIndexes.Length + 2);
    }

    /// <summary>
    /// 30 daily backups of a tree where two files change and one is added each day. Extension calls happen only on
    /// the days the generation changes (one call per reused object then), none on the other days. The counts are
    /// printed: <c>--logger "console;verbosity=detailed"</c>.
    /// </summary>
    [Fact]
    public async Task Backup_ThirtyDailyBackupsOfSlowlyChangingTree_ExtendOnlyWhenGenerationChanges()
    {
        WriteFiles(0, 120);
        var random = new Random(7);
        var total = 0;
        var generationDays = 0;
        DateTimeOffset? lastGeneration = null;
        for (var day = 0; day < 30; day++)
        {
            if (day > 0)
            {
                _time.Advance(TimeSpan.FromDays(1));
                WriteFile(random.Next(0, 120 + day - 1));
                WriteFile(random.Next(0, 120 + day - 1));
                WriteFile(120 + day - 1);
            }

            Store.ResetCounts();
            using var repository = day == 0
                ? await Repo.InitAsync(Store, "secret", Retention, _time, RepositoryTests.TestKdf, PackTarget, cancellationToken: Ct)
                : await Repo.OpenAsync(Store, "secret", _time, Ct);
            var generation = repository.RunRetainUntil;
            await repository.RecoverUnindexedPacksAsync(Ct);
            await BackupAsync(repository);

            var calls = Store.ExtendCalls;
            total += calls;
            var newGeneration = lastGeneration is { } last && generation > last;
            output.WriteLine($"day {day,2}: generation {generation:yyyy-MM-dd}, {repository.ReferencedPacks.Count} packs referenced, {repository.Index.IndexObjectIds.Count} index objects, {calls} extension calls");
            if (newGeneration)
            {
                generationDays++;
                Assert.True(calls > 0, $"day {day} starts a generation: reused objects need extending");
            }
            else
            {
                Assert.Equal(0, calls);
            }

            lastGeneration = generation;
        }

        output.WriteLine($"30 daily backups: {total} extension calls in total, on {generationDays} days a new generation began");
        Assert.InRange(generationDays, 4, 5);
    }

    private void WriteFiles(int first, int count)
    {
        for (var i = first; i < first + count; i++)
        {
            WriteFile(i);
        }
    }

    // Random content: every version of every file is its own blob, so reuse comes only from unchanged files.
    private void WriteFile(int i)
    {
        Directory.CreateDirectory(Source);
        File.WriteAllBytes(Path.Combine(Source, $"file{i:D3}.bin"), RandomNumberGenerator.GetBytes(20 * 1024 + (i * 100)));
    }

    private Task<BackupSummary> BackupAsync(Repo repository) =>
        new Archiver(repository, new SnapshotCatalog(Store, repository), _time).BackupAsync(new BackupRequest([Source]), Ct);
}
