using Ztdr.Backup.Archiving;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Repository;
using Ztdr.Backup.Tests.Stores;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Archiving;

public sealed class ArchiverTests : IDisposable
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly MemoryObjectStore _store;
    private readonly GeneratedTree _tree = new();

    public ArchiverTests() => _store = new MemoryObjectStore(_time);

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task BackupAsync_GeneratedTree_CountsEntriesAndSkipsSocket()
    {
        using var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct);

        var summary = await BackupAsync(repository);

        var expected = _tree.Expected;
        Assert.Equal(expected.Files, summary.Files);
        Assert.Equal(expected.Dirs, summary.Dirs);
        Assert.Equal(expected.Bytes, summary.BytesRead);
        Assert.Empty(summary.Errors);
        Assert.Equal([Path.Combine(_tree.Source, "a.sock")], summary.Skipped);
        Assert.True(summary.AddedBytes < summary.BytesRead, "the duplicate big file is stored once");
    }

    [Fact]
    public async Task BackupAsync_GeneratedTree_SnapshotHoldsTreeWithMetadata()
    {
        using var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        var summary = await BackupAsync(repository);

        var catalog = new SnapshotCatalog(_store, repository);
        var snapshot = await catalog.LoadAsync(summary.SnapshotId, Ct);
        var (above, own) = await PathTrees.AlongAsync(repository, snapshot.Tree, _tree.Source);
        var source = Assert.Single((await Tree.LoadAsync(repository, above[^1], Ct)).Nodes);
        var top = await Tree.LoadAsync(repository, own, Ct);
        var byName = top.Nodes.ToDictionary(n => n.DisplayName);

        Assert.Equal([_tree.Source], snapshot.Paths);
        Assert.Equal(summary.Tree, snapshot.Tree);
        Assert.Equal("src", source.Name);
        Assert.Equal(NodeType.Symlink, byName["link-to-big"].Type);
        Assert.Equal("big.bin", byName["link-to-big"].LinkTarget);
        Assert.Equal(NodeType.Dir, byName["empty"].Type);
        Assert.Empty((await Tree.LoadAsync(repository, byName["empty"].Subtree!.Value, Ct)).Nodes);
        Assert.Equal(Convert.ToUInt32("750", 8), byName["script.sh"].Mode);
        Assert.Equal(new DateTimeOffset(2002, 2, 3, 4, 5, 6, TimeSpan.Zero).ToUnixTimeSeconds() * 1_000_000_000L, byName["empty"].MtimeNs);
        Assert.True(byName["big.bin"].Content!.Count > 1, "a 3 MiB file is several chunks");
        Assert.False(byName.ContainsKey("a.sock"));
        Assert.Contains("odd name ü 😀 #1.txt", byName.Keys);
        Assert.Equal(repository.RunRetainUntil, snapshot.RetainUntil);
    }

    [Fact]
    public async Task BackupAsync_SameTreeAgainAfterReopen_AddsNoBlobsAndNoPacksButChangedTreesAbove()
    {
        BackupSummary first;
        using (var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct))
        {
            first = await BackupAsync(repository);
        }

        var packsBefore = await CountAsync("data/");
        _time.Advance(TimeSpan.FromDays(1));
        using (var repository = await Repo.OpenAsync(_store, "secret", _time, Ct))
        {
            var second = await BackupAsync(repository);

            // The folders above the source keep their real metadata, which may change meanwhile (/tmp does): only
            // their trees may be new, in one tree pack.
            var newAbove = await PathTrees.NewAboveAsync(repository, first.Tree, second.Tree, _tree.Source);
            Assert.Equal(newAbove, second.NewBlobs);
            Assert.Equal(newAbove == 0, second.AddedBytes == 0);
            Assert.Equal(packsBefore + (newAbove == 0 ? 0 : 1), await CountAsync("data/"));
            Assert.Equal(2, (await new SnapshotCatalog(_store, repository).ListAsync(Ct)).Count);
        }
    }

    [Fact]
    public async Task BackupAsync_WithProgress_ReportsEveryFileAndFolder()
    {
        using var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        var reports = new List<BackupProgress>();
        var request = new BackupRequest([_tree.Source]) { Progress = new SynchronousProgress(reports.Add) };

        var summary = await new Archiver(repository, new SnapshotCatalog(_store, repository), _time).BackupAsync(request, Ct);

        Assert.Equal(summary.Files + summary.Dirs, reports.Count);
        Assert.Equal(summary.BytesRead, reports[^1].BytesRead);
        Assert.Equal(_tree.Source, reports[^1].CurrentPath);
    }

    [Fact]
    public async Task BackupAsync_MissingPath_ThrowsAndWritesNoSnapshot()
    {
        using var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        var archiver = new Archiver(repository, new SnapshotCatalog(_store, repository), _time);

        await Assert.ThrowsAsync<IOException>(() => archiver.BackupAsync(new BackupRequest([Path.Combine(_tree.Root, "missing")]), Ct));
        Assert.Equal(0, await CountAsync(SnapshotCatalog.Prefix));
    }

    private Task<BackupSummary> BackupAsync(Repo repository) =>
        new Archiver(repository, new SnapshotCatalog(_store, repository), _time).BackupAsync(new BackupRequest([_tree.Source]) { Hostname = "test", Username = "tester" }, Ct);

    private async Task<int> CountAsync(string prefix)
    {
        var count = 0;
        await foreach (var unused in _store.ListAsync(prefix, Ct))
        {
            count++;
        }

        return count;
    }

    // Progress<T> posts to the thread pool; a test needs the reports in order and complete when the backup returns.
    private sealed class SynchronousProgress(Action<BackupProgress> report) : IProgress<BackupProgress>
    {
        public void Report(BackupProgress value) => report(value);
    }
}
