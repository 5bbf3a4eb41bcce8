using System.Security.Cryptography;
using Ztdr.Backup.Compression;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Repository;
using Ztdr.Backup.Retention;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Repository;
using Ztdr.Backup.Tests.Stores;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Retention;

public sealed class LockCoverageTests
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    // One hour after a generation boundary minus the retention: the next six daily runs share a generation.
    private static readonly DateTimeOffset Start =
        DateTimeOffset.FromUnixTimeSeconds(2900 * LockPolicy.DefaultGenerationSeconds) - Retention + TimeSpan.FromHours(1);

    private readonly ManualTimeProvider _time = new(Start);
    private readonly MemoryObjectStore _store;
    private readonly List<byte[]> _files = [.. Enumerable.Range(0, 12).Select(_ => RandomNumberGenerator.GetBytes(3000))];

    public LockCoverageTests() => _store = new MemoryObjectStore(_time);

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task EnsureCoverageAsync_DailyBackups_ExtendOncePerGeneration()
    {
        using (var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, packTargetSize: 8 * 1024, cancellationToken: Ct))
        {
            var first = await BackupAsync(repository);
            Assert.Equal(0, first.Coverage.Extended);
            Assert.Equal(0, first.RetentionWrites);
        }

        // Day 1, same generation: every reused object is already locked far enough. Zero calls.
        _time.Advance(TimeSpan.FromDays(1));
        using (var repository = await Repo.OpenAsync(_store, "secret", _time, Ct))
        {
            var second = await BackupAsync(repository);
            Assert.Equal(0, second.RetentionWrites);
            Assert.Null(second.Coverage.RecordId);
        }

        // Day 7, next generation: one call per reused object (config, key, packs, index), then one retention record.
        _time.Advance(TimeSpan.FromDays(6));
        int reused;
        using (var repository = await Repo.OpenAsync(_store, "secret", _time, Ct))
        {
            var third = await BackupAsync(repository);
            reused = third.Coverage.Dependencies;
            Assert.Equal(1 + 1 + repository.ReferencedPacks.Count + repository.Index.IndexObjectIds.Count, reused);
            Assert.Equal(reused, third.Coverage.Extended);
            Assert.Equal(reused + 1, third.RetentionWrites);
        }

        // Day 8: the record from day 7 tells the new session the locks already reach this generation.
        _time.Advance(TimeSpan.FromDays(1));
        using (var repository = await Repo.OpenAsync(_store, "secret", _time, Ct))
        {
            var fourth = await BackupAsync(repository);
            Assert.Equal(0, fourth.RetentionWrites);
        }

        await AssertEveryObjectLockedUntilAsync(new LockPolicy(2_592_000, LockPolicy.DefaultGenerationSeconds).Generation(_time.GetUtcNow() + Retention));
    }

    [Fact]
    public async Task EnsureCoverageAsync_NewBlobInLaterGeneration_OnlyReusedObjectsExtended()
    {
        using (var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct))
        {
            await BackupAsync(repository);
        }

        _time.Advance(TimeSpan.FromDays(8));
        using var next = await Repo.OpenAsync(_store, "secret", _time, Ct);
        await next.SaveBlobAsync(BlobType.Data, RandomNumberGenerator.GetBytes(100), Ct);
        var result = await BackupAsync(next);

        // Config, key, the old pack and its index; not the new pack (uploaded at this generation already).
        Assert.Equal(4, result.Coverage.Extended);
        using var compressor = new BlobCompressor();
        var recordBody = SealedObject.Open(next.Keys, compressor, ObjectType.Retention, result.Coverage.RecordId!.Value, await RepositoryTests.ReadAllAsync(_store, RepositoryObjectNames.Retention(result.Coverage.RecordId!.Value)));
        Assert.Equal(4, RetentionRecord.Read(recordBody).Count);
    }

    [Fact]
    public void Read_WrittenRecord_RoundTrips()
    {
        var extensions = new List<RetentionExtension> { new(ObjectId.NewRandom(), DateTimeOffset.FromUnixTimeSeconds(1_800_000_000)), new(ObjectId.NewRandom(), DateTimeOffset.FromUnixTimeSeconds(1)) };

        Assert.Equal(extensions, RetentionRecord.Read(RetentionRecord.Write(extensions)));
        Assert.Throws<RepositoryFormatException>(() => RetentionRecord.Read([2, 0, 0, 0]));
    }

    private async Task<(CoverageResult Coverage, int RetentionWrites)> BackupAsync(Repo repository)
    {
        foreach (var file in _files)
        {
            await repository.SaveBlobAsync(BlobType.Data, file, Ct);
        }

        await repository.FlushAsync(Ct);
        var before = _store.RetentionWrites;
        var coverage = await repository.EnsureCoverageAsync(_time.GetUtcNow() + Retention, Ct);
        return (coverage, _store.RetentionWrites - before);
    }

    private async Task AssertEveryObjectLockedUntilAsync(DateTimeOffset atLeast)
    {
        await foreach (var item in _store.ListAsync(cancellationToken: Ct))
        {
            if (item.Name.StartsWith(RepositoryObjectNames.RetentionPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var retention = await _store.GetRetentionAsync(item.Name, Ct);
            Assert.True(retention?.Covers(atLeast), $"{item.Name} locked until {retention?.RetainUntil}, expected {atLeast}");
        }
    }
}
