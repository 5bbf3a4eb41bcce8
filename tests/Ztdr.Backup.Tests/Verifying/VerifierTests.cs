using System.Text;
using Ztdr.Backup.Archiving;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Repository;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Archiving;
using Ztdr.Backup.Tests.Stores;
using Ztdr.Backup.Verifying;
using Ztdr.Testing;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Verifying;

/// <summary>
/// The verifier against a compliance-semantics store. Packs are closed after every blob (target size 1), so each
/// file's content and each tree sits in a pack of its own and a damaged pack names exactly the files it holds.
/// Damage is made by copying the repository into a second store with one object changed, as an attacker or a
/// failing disk would leave it.
/// </summary>
public sealed partial class VerifierTests : IDisposable
{
    private const string Password = "secret";
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    private static readonly byte[] ContentA = Encoding.UTF8.GetBytes("content of a, also in sub/a-copy.txt");
    private static readonly byte[] ContentB = Encoding.UTF8.GetBytes("content of b");
    private static readonly byte[] ContentC = Encoding.UTF8.GetBytes("content of c, deep in sub");

    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TemporaryDirectory _directory = new("verify");
    private readonly MemoryObjectStore _store;

    public VerifierTests()
    {
        _store = new MemoryObjectStore(_time);
        var source = _directory.Combine("src");
        Directory.CreateDirectory(Path.Combine(source, "sub"));
        File.WriteAllBytes(Path.Combine(source, "a.txt"), ContentA);
        File.WriteAllBytes(Path.Combine(source, "b.txt"), ContentB);
        File.WriteAllBytes(Path.Combine(source, "sub", "a-copy.txt"), ContentA);
        File.WriteAllBytes(Path.Combine(source, "sub", "c.txt"), ContentC);
        File.WriteAllBytes(Path.Combine(source, "empty.txt"), []);
    }

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Verify_CleanRepository_NoFindingsAndEveryPackRead()
    {
        var snapshot = await BackupAsync();
        using var repository = await Repo.OpenAsync(_store, Password, _time, Ct);

        var report = await VerifyAsync(_store, repository, new VerifyOptions { ReadData = PackSubset.All });

        Assert.Empty(report.Findings);
        Assert.Empty(report.Warnings);
        Assert.True(report.Passed);
        Assert.True(report.LockCoverageChecked);
        Assert.Equal(1, report.Snapshots);
        Assert.Equal(repository.Index.Packs.Count, report.PacksRead);
        Assert.Equal(await StoredPackBytesAsync(_store), report.BytesRead);
        Assert.NotEqual(default, snapshot);
    }

    [Fact]
    public async Task Verify_PackMissing_NamesPackBothSnapshotsAndTheFilesInIt()
    {
        var first = await BackupAsync();
        _time.Advance(TimeSpan.FromDays(1));
        var second = await BackupAsync();
        var pack = await PackOfAsync(ContentA);
        var damaged = await CopyAsync(bytes: (name, data) => name == pack ? null : data);
        using var repository = await Repo.OpenAsync(damaged, Password, _time, Ct);

        var report = await VerifyAsync(damaged, repository, new VerifyOptions());

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingKind.PackMissing, finding.Kind);
        Assert.Equal(pack, finding.Object);
        Assert.Equal(new[] { first, second }.Order(), finding.Snapshots.Select(s => s.ToString()).Order());
        Assert.Equal([Src("a.txt"), Src("sub/a-copy.txt")], finding.Paths.Order(StringComparer.Ordinal));
        Assert.Equal(0, finding.MorePaths);
        Assert.False(report.Passed);
    }

    [Fact]
    public async Task Verify_ForgottenSnapshot_IsNotVerified_KeptOnesAre()
    {
        // A forgotten snapshot is on its way out; its object is damaged here to show verify does not read it.
        var first = await BackupAsync();
        _time.Advance(TimeSpan.FromDays(1));
        var second = await BackupAsync();
        using (var writer = await Repo.OpenAsync(_store, Password, _time, Ct))
        {
            await new SnapshotCatalog(_store, writer).ForgetAsync([ObjectId.Parse(first)], _time.GetUtcNow(), Ct);
        }

        var damaged = await CopyAsync(bytes: (name, data) => name == "snapshots/" + first ? FlipMiddleByte(data) : data);
        using var repository = await Repo.OpenAsync(damaged, Password, _time, Ct);

        var report = await VerifyAsync(damaged, repository, new VerifyOptions { ReadData = PackSubset.All });

        Assert.Empty(report.Findings);
        Assert.Equal(1, report.Snapshots);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Verify_PathCap_KeepsFirstPathsAndCountsTheRest()
    {
        await BackupAsync();
        var pack = await PackOfAsync(ContentA);
        var damaged = await CopyAsync(bytes: (name, data) => name == pack ? null : data);
        using var repository = await Repo.OpenAsync(damaged, Password, _time, Ct);

        var report = await VerifyAsync(damaged, repository, new VerifyOptions { MaxPathsPerFinding = 1 });

        var finding = Assert.Single(report.Findings);
        Assert.Single(finding.Paths);
        Assert.Equal(1, finding.MorePaths);
    }

    [Fact]
    public async Task Verify_TreePackMissing_NamesTheFolderAndReportsItsContentsUnchecked()
    {
        var snapshot = await BackupAsync();
        string treePack;
        using (var repository = await Repo.OpenAsync(_store, Password, _time, Ct))
        {
            var root = (await new SnapshotCatalog(_store, repository).LoadAsync(ObjectId.Parse(snapshot), Ct)).Tree;
            var src = await Tree.LoadAsync(repository, (await PathTrees.AlongAsync(repository, root, _directory.Combine("src"))).Own, Ct);
            var sub = src.Nodes.Single(n => n.Name == "sub").Subtree!.Value;
            Assert.True(repository.Index.TryGet(sub, out var location));
            treePack = RepositoryObjectNames.Pack(location.PackId);
        }

        var damaged = await CopyAsync(bytes: (name, data) => name == treePack ? null : data);
        using var reopened = await Repo.OpenAsync(damaged, Password, _time, Ct);

        var report = await VerifyAsync(damaged, reopened, new VerifyOptions());

        Assert.Equal(2, report.Findings.Count);
        var missing = Assert.Single(report.Findings, f => f.Kind == FindingKind.PackMissing);
        Assert.Equal(treePack, missing.Object);
        Assert.Equal([Src("sub")], missing.Paths);
        var unreadable = Assert.Single(report.Findings, f => f.Kind == FindingKind.TreeUnreadable);
        Assert.Equal([Src("sub")], unreadable.Paths);
        Assert.Equal(snapshot, Assert.Single(unreadable.Snapshots).ToString());
    }

    [Fact]
    public async Task Verify_TamperedPackBytes_ReadDataNamesPackAndFiles_StructureAloneDoesNot()
    {
        var snapshot = await BackupAsync();
        var pack = await PackOfAsync(ContentC);
        var damaged = await CopyAsync(bytes: (name, data) => name == pack ? FlipMiddleByte(data) : data);
        using var repository = await Repo.OpenAsync(damaged, Password, _time, Ct);

        var structure = await VerifyAsync(damaged, repository, new VerifyOptions());
        var read = await VerifyAsync(damaged, repository, new VerifyOptions { ReadData = PackSubset.All });

        Assert.Empty(structure.Findings);
        var finding = Assert.Single(read.Findings);
        Assert.Equal(FindingKind.BlobDamaged, finding.Kind);
        Assert.Equal(pack, finding.Object);
        Assert.Contains("1 of 1 blobs fail authentication", finding.Detail, StringComparison.Ordinal);
        Assert.Equal(snapshot, Assert.Single(finding.Snapshots).ToString());
        Assert.Equal([Src("sub/c.txt")], finding.Paths);
    }

    [Fact]
    public async Task Verify_PackTruncatedInStorage_NamesPackAndFilesWithoutReadingData()
    {
        var snapshot = await BackupAsync();
        var pack = await PackOfAsync(ContentC);
        var damaged = await CopyAsync(bytes: (name, data) => name == pack ? data[..(data.Length / 2)] : data);
        using var repository = await Repo.OpenAsync(damaged, Password, _time, Ct);

        var report = await VerifyAsync(damaged, repository, new VerifyOptions { ReadData = PackSubset.All });

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingKind.PackTruncated, finding.Kind);
        Assert.Equal(pack, finding.Object);
        Assert.Equal(snapshot, Assert.Single(finding.Snapshots).ToString());
        Assert.Equal([Src("sub/c.txt")], finding.Paths);
        Assert.Equal(repository.Index.Packs.Count - 1, report.PacksRead);
    }

    [Fact]
    public async Task Verify_PackTrailerTampered_ReportsTrailerButNoFileSinceBlobsStillAuthenticate()
    {
        await BackupAsync();
        var pack = await PackOfAsync(ContentB);

        // The trailer is the last sealed unit before the 4-byte length: a byte just before the length field is in it.
        var damaged = await CopyAsync(bytes: (name, data) =>
        {
            if (name != pack)
            {
                return data;
            }

            var copy = data.ToArray();
            copy[^6] ^= 0x01;
            return copy;
        });
        using var repository = await Repo.OpenAsync(damaged, Password, _time, Ct);

        var report = await VerifyAsync(damaged, repository, new VerifyOptions { ReadData = PackSubset.All });

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingKind.PackTrailerMismatch, finding.Kind);
        Assert.Equal(pack, finding.Object);
        Assert.Contains("trailer cannot be read", finding.Detail, StringComparison.Ordinal);
        Assert.Empty(finding.Paths);
    }

    [Fact]
    public async Task Verify_ReadDataGroup_ReadsOnlyThatGroupAndFindsDamageOnlyThere()
    {
        await BackupAsync();
        var pack = await PackOfAsync(ContentB);
        var damaged = await CopyAsync(bytes: (name, data) => name == pack ? FlipMiddleByte(data) : data);
        using var repository = await Repo.OpenAsync(damaged, Password, _time, Ct);
        var firstByte = Convert.ToInt32(pack[(RepositoryObjectNames.DataPrefix.Length + 3)..][..2], 16);
        var containing = new PackSubset.Group((firstByte % 2) + 1, 2);
        var other = new PackSubset.Group(2 - (firstByte % 2), 2);

        var hit = await VerifyAsync(damaged, repository, new VerifyOptions { ReadData = containing });
        var miss = await VerifyAsync(damaged, repository, new VerifyOptions { ReadData = other });

        Assert.Equal(pack, Assert.Single(hit.Findings).Object);
        Assert.Empty(miss.Findings);
        Assert.Equal(repository.Index.Packs.Count, hit.PacksRead + miss.PacksRead);
    }

    [Fact]
    public async Task Verify_BlobMissingFromIndex_NamesBlobSnapshotAndFile()
    {
        ObjectId snapshotId;
        var missing = new BlobId(Enumerable.Repeat((byte)7, 32).ToArray());
        using (var repository = await Repo.InitAsync(_store, Password, Retention, _time, Repository.RepositoryTests.TestKdf, packTargetSize: 1, cancellationToken: Ct))
        {
            var present = await repository.SaveBlobAsync(BlobType.Data, ContentA, Ct);
            var tree = await new Tree(
            [
                new TreeNode { Name = "f", Type = NodeType.File, Size = 3, Content = [present, missing] },
                new TreeNode { Name = "g", Type = NodeType.File, Size = 3, Content = [present] },
            ]).SaveAsync(repository, Ct);
            var snapshot = new Snapshot(_time.GetUtcNow(), "host", "user", ["/x"], [], tree, null, repository.RunRetainUntil, "test", new SnapshotSummary(2, 0, 6, 6));
            snapshotId = await new SnapshotCatalog(_store, repository).SaveAsync(snapshot, Ct);
        }

        using var reopened = await Repo.OpenAsync(_store, Password, _time, Ct);
        var report = await VerifyAsync(_store, reopened, new VerifyOptions { ReadData = PackSubset.All });

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingKind.BlobNotIndexed, finding.Kind);
        Assert.Equal($"blob {missing}", finding.Object);
        Assert.Equal(snapshotId, Assert.Single(finding.Snapshots));
        Assert.Equal(["/f"], finding.Paths);
    }

    [Fact]
    public async Task Verify_PackLockedShorterThanSnapshot_NamesPackSnapshotAndFile()
    {
        var snapshot = await BackupAsync();
        var pack = await PackOfAsync(ContentB);
        var shortLock = _time.GetUtcNow() + TimeSpan.FromDays(1);
        var damaged = await CopyAsync(retention: (name, retainUntil) => name == pack ? shortLock : retainUntil);
        using var repository = await Repo.OpenAsync(damaged, Password, _time, Ct);

        var report = await VerifyAsync(damaged, repository, new VerifyOptions());

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingKind.LockNotCovering, finding.Kind);
        Assert.Equal(pack, finding.Object);
        Assert.Contains("locked only until 2026-01-02 00:00:00Z", finding.Detail, StringComparison.Ordinal);
        Assert.Equal(snapshot, Assert.Single(finding.Snapshots).ToString());
        Assert.Equal([Src("b.txt")], finding.Paths);
    }

    [Fact]
    public async Task Verify_PackLockCoversOlderSnapshotOnly_NamesOnlyTheNewerSnapshot()
    {
        var older = await BackupAsync();
        var olderLock = (await _store.GetRetentionAsync(await PackOfAsync(ContentB), Ct))!.RetainUntil;
        _time.Advance(TimeSpan.FromDays(20));
        var newer = await BackupAsync();
        var pack = await PackOfAsync(ContentB);
        var damaged = await CopyAsync(retention: (name, retainUntil) => name == pack ? olderLock : retainUntil);
        using var repository = await Repo.OpenAsync(damaged, Password, _time, Ct);

        var report = await VerifyAsync(damaged, repository, new VerifyOptions());

        var finding = Assert.Single(report.Findings);
        Assert.Equal(pack, finding.Object);
        Assert.Equal(newer, Assert.Single(finding.Snapshots).ToString());
        Assert.NotEqual(older, newer);
        Assert.Equal([Src("b.txt")], finding.Paths);
    }

    [Fact]
    public async Task Verify_ConfigWithoutRetention_NamesEverySnapshotItOutlives()
    {
        var snapshot = await BackupAsync();
        var damaged = await CopyAsync(retention: (name, retainUntil) => name == RepositoryObjectNames.Config ? null : retainUntil);
        using var repository = await Repo.OpenAsync(damaged, Password, _time, Ct);

        var report = await VerifyAsync(damaged, repository, new VerifyOptions());

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingKind.LockNotCovering, finding.Kind);
        Assert.Equal(RepositoryObjectNames.Config, finding.Object);
        Assert.Contains("no retention", finding.Detail, StringComparison.Ordinal);
        Assert.Equal(snapshot, Assert.Single(finding.Snapshots).ToString());
        Assert.Empty(finding.Paths);
    }

    [Fact]
    public async Task Verify_SnapshotObjectTampered_NamesTheSnapshot()
    {
        var snapshot = await BackupAsync();
        var name = SnapshotCatalog.Name(ObjectId.Parse(snapshot));
        var damaged = await CopyAsync(bytes: (n, data) => n == name ? FlipMiddleByte(data) : data);
        using var repository = await Repo.OpenAsync(damaged, Password, _time, Ct);

        var report = await VerifyAsync(damaged, repository, new VerifyOptions { ReadData = PackSubset.All });

        // The snapshot is lost, and what storage serves under its name is not ztdr's: both are said.
        Assert.Equal(2, report.Findings.Count);
        var finding = Assert.Single(report.Findings, f => f.Kind == FindingKind.SnapshotUnreadable);
        Assert.Equal(name, finding.Object);
        Assert.Equal(snapshot, Assert.Single(finding.Snapshots).ToString());
        var impostor = Assert.Single(report.Findings, f => f.Kind == FindingKind.Impostor);
        Assert.Equal(name, impostor.Object);
        Assert.Contains("does not authenticate", impostor.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_FolderStore_WarnsNotImmutableAndSkipsLockCoverage()
    {
        var folder = new LocalFolderStore(_directory.Combine("repo"), _time);
        using (var repository = await Repo.InitAsync(folder, Password, Retention, _time, Repository.RepositoryTests.TestKdf, cancellationToken: Ct))
        {
            await new Archiver(repository, new SnapshotCatalog(folder, repository), _time).BackupAsync(new BackupRequest([_directory.Combine("src")]), Ct);
        }

        using var reopened = await Repo.OpenAsync(folder, Password, _time, Ct);
        var report = await VerifyAsync(folder, reopened, new VerifyOptions { ReadData = PackSubset.All });

        Assert.Empty(report.Findings);
        Assert.False(report.LockCoverageChecked);
        Assert.Contains("not immutable", Assert.Single(report.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_Progress_ReportsEveryPhase()
    {
        await BackupAsync();
        using var repository = await Repo.OpenAsync(_store, Password, _time, Ct);
        var phases = new List<string>();

        await VerifyAsync(_store, repository, new VerifyOptions { ReadData = PackSubset.All, Progress = new Collect(phases) });

        Assert.Equal(["snapshots", "trees", "locks", "read-data", "locating"], phases.Distinct());
    }
}
