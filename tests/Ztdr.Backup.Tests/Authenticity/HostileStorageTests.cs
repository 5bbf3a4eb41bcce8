using System.Text;
using Ztdr.Backup.Archiving;
using Ztdr.Backup.Authenticity;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Pruning;
using Ztdr.Backup.Repository;
using Ztdr.Backup.Restoring;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Archiving;
using Ztdr.Backup.Tests.Repository;
using Ztdr.Backup.Tests.Stores;
using Ztdr.Backup.Verifying;
using Ztdr.Testing;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Authenticity;

/// <summary>
/// The attacker holds the backup key (issue 11): on a versioned bucket it can write a new version over any name, hide a
/// name with a delete marker, and plant objects under new names, but it has no master key. Each test plays one attack
/// on the memory store (which keeps versions like S3) and shows that every command still works on the authentic
/// repository and that the impostors are named. The same attacks against a real ztdr-vault:
/// <c>Ztdr.Cli.Tests.Hostile.HostileStorageAgainstVaultTests</c>.
/// </summary>
public sealed class HostileStorageTests : IDisposable
{
    private const string Password = "secret";
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly MemoryObjectStore _store;
    private readonly GeneratedTree _tree = new();

    public HostileStorageTests() => _store = new MemoryObjectStore(_time);

    private static CancellationToken Ct => CancellationToken.None;

    private DateTimeOffset FarFuture => _time.GetUtcNow().AddYears(100);

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task Open_ConfigOverwrittenWithGarbage_UsesAuthenticConfigAndLogsImpostor()
    {
        var snapshot = await InitAndBackupAsync();
        var impostorVersion = _store.PutVersion(RepositoryObjectNames.Config, "garbage!"u8, FarFuture);

        using var repository = await Repo.OpenAsync(_store, Password, _time, Ct);

        Assert.Equal(snapshot, (await new SnapshotCatalog(repository.Store, repository).ResolveAsync(SnapshotCatalog.Latest, Ct)).Id);
        var impostor = Assert.Single(repository.Impostors.Found);
        Assert.Equal((RepositoryObjectNames.Config, impostorVersion), (impostor.Name, impostor.VersionId));
        Assert.Contains("8 bytes", impostor.Reason, StringComparison.Ordinal);
        await AssertRestoresAsync(repository);
    }

    [Fact]
    public async Task Open_ConfigHiddenByDeleteMarker_OpensAndLogsTheMarker()
    {
        await InitAndBackupAsync();
        var marker = _store.HideWithDeleteMarker(RepositoryObjectNames.Config);

        using var repository = await Repo.OpenAsync(_store, Password, _time, Ct);

        Assert.Equal(marker, Assert.Single(repository.Impostors.Found).VersionId);
        await AssertRestoresAsync(repository);
    }

    [Fact]
    public async Task Init_ConfigHiddenByDeleteMarker_RefusesToStartASecondRepository()
    {
        await InitAndBackupAsync();
        _store.HideWithDeleteMarker(RepositoryObjectNames.Config);

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => Repo.InitAsync(_store, "other", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct));

        Assert.Equal(StoreErrorKind.AlreadyExists, error.Kind);
    }

    [Fact]
    public async Task ListSnapshots_AnotherRepositorysSnapshotPlanted_SkipsItAndBackupStillWorks()
    {
        await InitAndBackupAsync();
        var (foreignName, foreignBytes) = await ForeignSnapshotAsync();
        _store.PutVersion(foreignName, foreignBytes, FarFuture);

        using var repository = await Repo.OpenAsync(_store, Password, _time, Ct);
        var catalog = new SnapshotCatalog(repository.Store, repository);
        var listed = await catalog.ListAsync(Ct);

        Assert.Single(listed);
        Assert.Equal(foreignName, Assert.Single(repository.Impostors.Found).Name);
        _time.Advance(TimeSpan.FromHours(1));
        var second = await new Archiver(repository, catalog, _time).BackupAsync(new BackupRequest([_tree.Source]), Ct);
        Assert.Equal(2, (await catalog.ListAsync(Ct)).Count);
        Assert.Equal(second.SnapshotId, (await catalog.ResolveAsync(SnapshotCatalog.Latest, Ct)).Id);
    }

    [Fact]
    public async Task ResolveLatest_NewestSnapshotHiddenByDeleteMarker_StillFindsItAndLogsTheMarker()
    {
        await InitAndBackupAsync();
        ObjectId newest;
        using (var repository = await Repo.OpenAsync(_store, Password, _time, Ct))
        {
            _time.Advance(TimeSpan.FromHours(1));
            newest = (await new Archiver(repository, new SnapshotCatalog(repository.Store, repository), _time).BackupAsync(new BackupRequest([_tree.Source]), Ct)).SnapshotId;
        }

        _store.HideWithDeleteMarker(SnapshotCatalog.Name(newest));

        using var reopened = await Repo.OpenAsync(_store, Password, _time, Ct);
        var (latest, _) = await new SnapshotCatalog(reopened.Store, reopened).ResolveAsync(SnapshotCatalog.Latest, Ct);

        Assert.Equal(newest, latest);
        Assert.Contains(reopened.Impostors.Found, i => i.Name == SnapshotCatalog.Name(newest) && i.Reason.Contains("delete marker", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ListSnapshots_SnapshotOverwrittenWithGarbage_UsesAuthenticVersion()
    {
        var snapshot = await InitAndBackupAsync();
        _store.PutVersion(SnapshotCatalog.Name(snapshot), new byte[4096], FarFuture);

        using var repository = await Repo.OpenAsync(_store, Password, _time, Ct);
        var (id, _) = Assert.Single(await new SnapshotCatalog(repository.Store, repository).ListAsync(Ct));

        Assert.Equal(snapshot, id);
        Assert.Single(repository.Impostors.Found);
    }

    [Fact]
    public async Task Restore_PackOverwrittenWithGarbage_ReadsAuthenticVersionAndVerifyNamesOnlyTheImpostor()
    {
        await InitAndBackupAsync();
        var pack = await FirstPackAsync();
        _store.PutVersion(pack, new byte[1000], FarFuture);

        using var repository = await Repo.OpenAsync(_store, Password, _time, Ct);
        await AssertRestoresAsync(repository);
        Assert.Contains(repository.Impostors.Found, i => i.Name == pack);

        using var again = await Repo.OpenAsync(_store, Password, _time, Ct);
        var report = await new Verifier(again.Store, again, new SnapshotCatalog(again.Store, again)).VerifyAsync(new VerifyOptions { ReadData = PackSubset.All }, Ct);
        var finding = Assert.Single(report.Findings);
        Assert.Equal((FindingKind.Impostor, pack), (finding.Kind, finding.Object));
    }

    [Fact]
    public async Task Backup_PackOverwrittenByImpostor_ExtendsTheAuthenticVersionsLockAndVerifyJudgesIt()
    {
        await InitAndBackupAsync();
        var pack = await FirstPackAsync();
        var authentic = await OldestVersionAsync(pack);

        // The impostor is locked far ahead, so a coverage check that read its lock would see nothing wrong.
        _store.PutVersion(pack, new byte[1000], FarFuture);
        _time.Advance(TimeSpan.FromDays(20));

        using (var repository = await Repo.OpenAsync(_store, Password, _time, Ct))
        {
            await repository.RecoverUnindexedPacksAsync(Ct);
            var second = await new Archiver(repository, new SnapshotCatalog(repository.Store, repository), _time).BackupAsync(new BackupRequest([_tree.Source]), Ct);
            var (_, snapshot) = await new SnapshotCatalog(repository.Store, repository).ResolveAsync(second.SnapshotId.ToString(), Ct);

            var lockOfAuthentic = await _store.GetVersionRetentionAsync(pack, authentic, Ct);
            Assert.True(lockOfAuthentic!.Covers(snapshot.RetainUntil), $"the authentic pack is locked until {lockOfAuthentic.RetainUntil}, the snapshot needs {snapshot.RetainUntil}");
        }

        using var again = await Repo.OpenAsync(_store, Password, _time, Ct);
        var report = await new Verifier(again.Store, again, new SnapshotCatalog(again.Store, again)).VerifyAsync(new VerifyOptions(), Ct);
        Assert.Equal((FindingKind.Impostor, pack), (Assert.Single(report.Findings).Kind, report.Findings[0].Object));
    }

    [Fact]
    public async Task Restore_PackHiddenByDeleteMarker_ReadsTheVersionBelow()
    {
        await InitAndBackupAsync();
        var pack = await FirstPackAsync();
        _store.HideWithDeleteMarker(pack);

        using var repository = await Repo.OpenAsync(_store, Password, _time, Ct);
        await AssertRestoresAsync(repository);
        Assert.Contains(repository.Impostors.Found, i => i.Name == pack && i.Reason.Contains("delete marker", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Open_IndexAndRetentionRecordPlanted_OpensAndSkipsThem()
    {
        await InitAndBackupAsync();
        _store.PutVersion(RepositoryObjectNames.Index(ObjectId.NewRandom()), new byte[300], FarFuture);
        _store.PutVersion(RepositoryObjectNames.Retention(ObjectId.NewRandom()), new byte[300], FarFuture);
        _store.PutVersion(ForgottenMarker.Name(ObjectId.NewRandom()), new byte[300], FarFuture);

        using var repository = await Repo.OpenAsync(_store, Password, _time, Ct);
        await AssertRestoresAsync(repository);

        Assert.Equal(3, repository.Impostors.Count);
    }

    [Fact]
    public async Task Open_KeyObjectOverCostCapPlanted_IsSkippedWithoutDerivingAndOpenSucceeds()
    {
        await InitAndBackupAsync();

        // Argon2id 1 GiB × 3 passes: over the 256 MiB cap, refused before any work (it would cost seconds and a GiB).
        var planted = PlantedKey(memoryKiB: 1024 * 1024, iterations: 3);
        var name = RepositoryObjectNames.Key(ObjectId.NewRandom());
        _store.PutVersion(name, planted, FarFuture);

        using var repository = await Repo.OpenAsync(_store, Password, _time, Ct);

        var impostor = Assert.Single(repository.Impostors.Found);
        Assert.Equal(name, impostor.Name);
        Assert.Contains("memory", impostor.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_HugeObjectUnderKeys_IsNotRead()
    {
        await InitAndBackupAsync();
        var name = RepositoryObjectNames.Key(ObjectId.NewRandom());
        _store.PutVersion(name, new byte[KeyRing.MaxKeyObjectLength + 1], FarFuture);

        using var repository = await Repo.OpenAsync(_store, Password, _time, Ct);

        Assert.Contains("bytes; no such object", Assert.Single(repository.Impostors.Found).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_FloodOfCheapPlantedKeys_FailsNamingTheHintThenOpensWithIt()
    {
        await InitAndBackupAsync();
        ObjectId ownKey;
        using (var repository = await Repo.OpenAsync(_store, Password, _time, Ct))
        {
            ownKey = repository.OpenedWithKey!.Value;
        }

        // Cheaper than the owner's key, so tried first: more of them than one open tries.
        for (var i = 0; i < KeyRing.MaxKeysTried + 1; i++)
        {
            _store.PutVersion(RepositoryObjectNames.Key(ObjectId.NewRandom()), PlantedKey(memoryKiB: 8, iterations: 1), FarFuture);
        }

        var refused = await Assert.ThrowsAsync<WrongPasswordException>(() => Repo.OpenAsync(_store, Password, _time, Ct));
        Assert.Contains("--key-hint", refused.Message, StringComparison.Ordinal);

        using var hinted = await Repo.OpenAsync(_store, Password, new RepositoryOpenOptions([ownKey]), _time, Ct);
        Assert.Equal(ownKey, hinted.OpenedWithKey);
    }

    [Fact]
    public async Task Open_OwnKeyOverwrittenWithAnotherKeyObject_OpensWithTheVersionBelow()
    {
        await InitAndBackupAsync();
        ObjectId ownKey;
        using (var repository = await Repo.OpenAsync(_store, Password, _time, Ct))
        {
            ownKey = repository.OpenedWithKey!.Value;
        }

        var overwrite = _store.PutVersion(RepositoryObjectNames.Key(ownKey), PlantedKey(memoryKiB: 1024, iterations: 1), FarFuture);

        using var reopened = await Repo.OpenAsync(_store, Password, _time, Ct);

        Assert.Equal(ownKey, reopened.OpenedWithKey);
        Assert.Equal(overwrite, Assert.Single(reopened.Impostors.Found).VersionId);
    }

    [Fact]
    public async Task Prune_SnapshotHiddenByDeleteMarker_KeepsItsData()
    {
        var snapshot = await InitAndBackupAsync();
        _store.HideWithDeleteMarker(SnapshotCatalog.Name(snapshot));
        _time.Advance(Retention * 3);

        using var repository = await Repo.OpenAsync(_store, Password, _time, Ct);
        var pruner = new Pruner(repository.Store, repository.Store, repository, _time);
        var plan = await pruner.PlanAsync(Ct);

        // Every lock has ended, so whatever prune deems unused would go: the hidden snapshot's data must not be.
        Assert.DoesNotContain(plan.Deletable, c => c.Kind == PruneObjectKind.Pack);
        await pruner.ExecuteAsync(plan, Ct);
        using var after = await Repo.OpenAsync(_store, Password, _time, Ct);
        await AssertRestoresAsync(after);
    }

    [Fact]
    public async Task ListSnapshots_ThousandsOfJunkNames_SkipsAllAndKeepsTheLogBounded()
    {
        await InitAndBackupAsync();
        var junk = ImpostorLog.MaxKept + 200;
        for (var i = 0; i < junk; i++)
        {
            _store.PutVersion(SnapshotCatalog.Name(ObjectId.NewRandom()), "x"u8);
        }

        using var repository = await Repo.OpenAsync(_store, Password, _time, Ct);
        var listed = await new SnapshotCatalog(repository.Store, repository).ListAsync(Ct);

        Assert.Single(listed);
        Assert.Equal(junk, repository.Impostors.Count);
        Assert.Equal(ImpostorLog.MaxKept, repository.Impostors.Found.Count);
    }

    [Fact]
    public async Task ReadName_ManyVersionsStacked_TriesAtMostTheCapAndFindsTheOldest()
    {
        var snapshot = await InitAndBackupAsync();
        for (var i = 0; i < 50; i++)
        {
            _store.PutVersion(SnapshotCatalog.Name(snapshot), new byte[100 + i], FarFuture);
        }

        using var repository = await Repo.OpenAsync(_store, Password, _time, Ct);
        var (id, _) = Assert.Single(await new SnapshotCatalog(repository.Store, repository).ListAsync(Ct));

        Assert.Equal(snapshot, id);
        Assert.InRange(repository.Impostors.Count, 1, AuthenticReader.MaxVersionsTried + 1);
    }

    [Fact]
    public async Task LatestVerification_RecordPlanted_IsSkippedNotThrown()
    {
        await InitAndBackupAsync();
        var planted = VerificationLog.Name(ObjectId.NewRandom());
        _store.PutVersion(planted, new byte[500], FarFuture);

        using var repository = await Repo.OpenAsync(_store, Password, _time, Ct);

        Assert.Null(await new VerificationLog(repository.Store, repository).LatestAsync(Ct));
        Assert.Equal(planted, Assert.Single(repository.Impostors.Found).Name);
    }

    [Fact]
    public async Task Open_CredentialsMayNotListVersions_OpensOnCurrentVersionsAndSaysWhy()
    {
        var snapshot = await InitAndBackupAsync();

        using var repository = await Repo.OpenAsync(new NoVersionListing(_store), Password, _time, Ct);

        Assert.Equal(snapshot, (await new SnapshotCatalog(repository.Store, repository).ResolveAsync(SnapshotCatalog.Latest, Ct)).Id);
        Assert.Contains("s3:ListBucketVersions", repository.Reader.VersionsUnavailable, StringComparison.Ordinal);
    }

    private async Task<ObjectId> InitAndBackupAsync()
    {
        using var repository = await Repo.InitAsync(_store, Password, Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        return (await new Archiver(repository, new SnapshotCatalog(repository.Store, repository), _time).BackupAsync(new BackupRequest([_tree.Source]), Ct)).SnapshotId;
    }

    private async Task AssertRestoresAsync(Repo repository)
    {
        var (_, snapshot) = await new SnapshotCatalog(repository.Store, repository).ResolveAsync(SnapshotCatalog.Latest, Ct);
        var target = Path.Combine(_tree.Root, "restored-" + Guid.NewGuid().ToString("N"));
        var summary = await new Restorer(repository).RestoreAsync(snapshot, target, new RestoreOptions(), Ct);
        Assert.Equal(_tree.Expected.Bytes, summary.Bytes);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(_tree.Source, "docs"), "*.txt").Append(Path.Combine(_tree.Source, "big.bin")))
        {
            var restored = BackedUpPath.Under(target, _tree.Source, Path.GetRelativePath(_tree.Source, file));
            Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(File.ReadAllBytes(restored)), restored);
        }
    }

    private async Task<string> FirstPackAsync()
    {
        await foreach (var item in _store.ListAsync(RepositoryObjectNames.DataPrefix, Ct))
        {
            return item.Name;
        }

        throw new InvalidOperationException("no pack");
    }

    private async Task<string> OldestVersionAsync(string name)
    {
        string? oldest = null;
        await foreach (var version in _store.ListVersionsAsync(name, Ct))
        {
            oldest = version.VersionId;
        }

        return oldest!;
    }

    private async Task<(string Name, byte[] Bytes)> ForeignSnapshotAsync()
    {
        var other = new MemoryObjectStore(_time);
        using var repository = await Repo.InitAsync(other, "another password", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        var id = (await new Archiver(repository, new SnapshotCatalog(repository.Store, repository), _time).BackupAsync(new BackupRequest([_tree.Source]), Ct)).SnapshotId;
        await using var stream = await other.GetAsync(SnapshotCatalog.Name(id), cancellationToken: Ct);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, Ct);
        return (SnapshotCatalog.Name(id), buffer.ToArray());
    }

    // A key object a stranger made: valid JSON and parameters, wrapping a master key the owner's password does not open.
    private static byte[] PlantedKey(int memoryKiB, int iterations)
    {
        var json = Encoding.UTF8.GetString(KeyObject.Create(MasterKey.Generate(), "attacker", RepositoryTests.TestKdf, DateTimeOffset.UnixEpoch).Serialize());
        return Encoding.UTF8.GetBytes(json
            .Replace("\"memoryKiB\": 1024", $"\"memoryKiB\": {memoryKiB}", StringComparison.Ordinal)
            .Replace("\"iterations\": 1", $"\"iterations\": {iterations}", StringComparison.Ordinal));
    }

    /// <summary>An AWS policy with s3:ListBucket but not s3:ListBucketVersions.</summary>
    private sealed class NoVersionListing(IObjectStore inner) : ForwardingStore(inner)
    {
        public override IAsyncEnumerable<ObjectVersion> ListVersionsAsync(string prefix = "", CancellationToken cancellationToken = default) =>
            throw new ObjectStoreException(StoreErrorKind.AccessDenied, "ListObjectVersions: access denied (test)");
    }
}
