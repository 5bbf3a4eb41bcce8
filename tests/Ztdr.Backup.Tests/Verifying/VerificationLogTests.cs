using Ztdr.Backup.Compression;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Stores;
using Ztdr.Backup.Verifying;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Verifying;

/// <summary>The <c>verifications/&lt;id&gt;</c> objects (repository-format.md § 9.5): sealed, locked, newest wins.</summary>
public sealed class VerificationLogTests
{
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task WriteThenLatest_TwoRuns_NewestByTimeReadBack_EachLockedCompliance()
    {
        var store = new MemoryObjectStore(_time);
        using var repository = await Repo.InitAsync(store, "pw", TimeSpan.FromDays(30), _time, Repository.RepositoryTests.TestKdf);
        var log = new VerificationLog(store, repository);
        Assert.Null(await log.LatestAsync(CancellationToken.None));

        var failed = new VerificationRecord(_time.GetUtcNow(), "h1", "ztdr 0.1.0", 3, 10, 10, "all", 2, 0, true);
        var clean = failed with { Time = _time.GetUtcNow().AddHours(1), Errors = 0, PacksRead = 1, ReadData = "10%" };
        var first = await log.WriteAsync(clean, CancellationToken.None);
        await log.WriteAsync(failed, CancellationToken.None);

        Assert.Equal(clean, await log.LatestAsync(CancellationToken.None));
        Assert.Equal(0.1, clean.ReadDataFraction, 6);
        var retention = await store.GetRetentionAsync(VerificationLog.Name(first));
        Assert.Equal(RetentionMode.Compliance, retention!.Mode);
        Assert.Equal(repository.RunRetainUntil, retention.RetainUntil);
    }

    [Fact]
    public async Task Latest_ObjectSealedAsAnotherType_Refused()
    {
        var store = new MemoryObjectStore(_time);
        using var repository = await Repo.InitAsync(store, "pw", TimeSpan.FromDays(30), _time, Repository.RepositoryTests.TestKdf);
        var record = new VerificationRecord(_time.GetUtcNow(), "h", "p", 0, 0, 0, "none", 0, 0, true);
        var id = ObjectId.NewRandom();
        using var compressor = new BlobCompressor(repository.Config.CompressionLevel);
        await store.PutNewAsync(VerificationLog.Name(id), SealedObject.Seal(repository.Keys, compressor, ObjectType.Forgotten, id, record.Serialize()), retainUntil: null);

        // Refused, and since issue 11 not fatal: a stolen backup key could otherwise plant one and break 'status'.
        Assert.Null(await new VerificationLog(store, repository).LatestAsync(CancellationToken.None));
        Assert.Contains("type", Assert.Single(repository.Impostors.Found).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SerializedRecord_RoundTrips_CamelCaseFields()
    {
        var record = new VerificationRecord(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), "h", "ztdr 0.1.0", 1, 2, 1, "1/2", 0, 1, false);

        var json = System.Text.Encoding.UTF8.GetString(record.Serialize());

        Assert.Equal(record, VerificationRecord.Parse(record.Serialize()));
        Assert.Equal(
            """{"version":1,"time":"2026-01-02T03:04:05.0000000Z","hostname":"h","program":"ztdr 0.1.0","snapshots":1,"packs":2,"packsRead":1,"readData":"1/2","errors":0,"warnings":1,"lockCoverageChecked":false}""",
            json);
    }
}
