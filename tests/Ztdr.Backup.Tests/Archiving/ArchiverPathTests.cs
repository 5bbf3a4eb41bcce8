using Ztdr.Backup.Archiving;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Restoring;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Repository;
using Ztdr.Backup.Tests.Stores;
using Ztdr.Testing;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Archiving;

/// <summary>
/// Snapshot format 2: the root tree mirrors each backed-up absolute path (as restic), and format 1 snapshots (the root
/// tree holds last components) still restore and still serve as parents.
/// </summary>
public sealed class ArchiverPathTests : IDisposable
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly MemoryObjectStore _store;
    private readonly GeneratedTree _tree = new();

    public ArchiverPathTests() => _store = new MemoryObjectStore(_time);

    private static CancellationToken Ct => CancellationToken.None;

    private string Other => Path.Combine(_tree.Root, "other", "src");

    private string Target => Path.Combine(_tree.Root, "restored");

    public void Dispose() => _tree.Dispose();

    private static async Task<BlobId> SubtreeAtAsync(Repo repository, BlobId root, string absolutePath)
    {
        var tree = root;
        foreach (var component in absolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var node = (await Tree.LoadAsync(repository, tree, Ct)).Nodes.Single(n => n.Name == component);
            tree = node.Subtree!.Value;
        }

        return tree;
    }

    [Fact]
    public async Task BackupAsync_NestedPath_RootTreeMirrorsAbsolutePathWithRealFolderMetadata()
    {
        using var repository = await InitAsync();

        var summary = await BackupAsync(repository, [_tree.Source]);

        var snapshot = await new SnapshotCatalog(_store, repository).LoadAsync(summary.SnapshotId, Ct);
        Assert.Equal(Snapshot.FormatVersion, snapshot.Version);
        Assert.Equal(2, snapshot.Version);
        var tree = snapshot.Tree;
        var folder = "";
        TreeNode? node = null;
        foreach (var component in _tree.Source.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            folder += "/" + component;
            node = Assert.Single((await Tree.LoadAsync(repository, tree, Ct)).Nodes);
            Assert.Equal(component, node.Name);
            Assert.Equal(NodeType.Dir, node.Type);
            var real = FileMetadata.Read(folder);
            Assert.Equal(real.Mode, node.Mode);
            Assert.Equal(real.Inode, node.Inode);
            Assert.Equal(real.Uid, node.Uid);
            tree = node.Subtree!.Value;
        }

        Assert.Equal("src", node!.Name);
        Assert.Contains("big.bin", (await Tree.LoadAsync(repository, tree, Ct)).Nodes.Select(n => n.Name));
        Assert.Equal(_tree.Expected.Dirs, summary.Dirs);
        Assert.Equal(_tree.Expected.Files, summary.Files);
    }

    [Fact]
    public async Task BackupAsync_TwoPathsWithSameLastComponent_RestoresEachUnderItsAbsolutePath()
    {
        Directory.CreateDirectory(Other);
        await File.WriteAllTextAsync(Path.Combine(Other, "x.txt"), "other", Ct);
        using var repository = await InitAsync();

        var summary = await BackupAsync(repository, [_tree.Source, Other]);

        var snapshot = await new SnapshotCatalog(_store, repository).LoadAsync(summary.SnapshotId, Ct);
        Assert.Equal([_tree.Source, Other], snapshot.Paths);
        Assert.Equal(_tree.Expected.Files + 1, summary.Files);
        await new Restorer(repository).RestoreAsync(snapshot, Target, new RestoreOptions(), Ct);
        Assert.Equal("other", await File.ReadAllTextAsync(BackedUpPath.Under(Target, Other, "x.txt"), Ct));
        Assert.Equal(
            await File.ReadAllBytesAsync(Path.Combine(_tree.Source, "big.bin"), Ct),
            await File.ReadAllBytesAsync(BackedUpPath.Under(Target, _tree.Source, "big.bin"), Ct));
        Assert.False(File.Exists(BackedUpPath.Under(Target, _tree.Source, "x.txt")));
    }

    [Fact]
    public async Task BackupAsync_OverlappingPaths_OuterCoversInnerOnce()
    {
        using var repository = await InitAsync();
        var single = await BackupAsync(repository, [_tree.Source]);

        var overlapping = await BackupAsync(repository, [Path.Combine(_tree.Source, "docs"), _tree.Source, _tree.Source + "/"], force: true);

        // The root trees themselves may differ: the folders above the source (/tmp among them) carry their real
        // metadata, and other tests create files in /tmp between the two runs. The backed-up folder must not.
        Assert.Equal(
            await SubtreeAtAsync(repository, single.Tree, _tree.Source),
            await SubtreeAtAsync(repository, overlapping.Tree, _tree.Source));
        Assert.Equal(single.Files, overlapping.Files);
        Assert.Equal(single.Dirs, overlapping.Dirs);
        var snapshot = await new SnapshotCatalog(_store, repository).LoadAsync(overlapping.SnapshotId, Ct);
        Assert.Equal([Path.Combine(_tree.Source, "docs"), _tree.Source], snapshot.Paths);
    }

    [Fact]
    public async Task BackupAsync_SecondRunOfTwoPathsWithSameLastComponent_ReadsNoFileAgain()
    {
        Directory.CreateDirectory(Other);
        await File.WriteAllTextAsync(Path.Combine(Other, "x.txt"), "other", Ct);
        using var repository = await InitAsync();
        var first = await BackupAsync(repository, [_tree.Source, Other]);

        var second = await BackupAsync(repository, [Other, _tree.Source]);

        Assert.Equal(first.SnapshotId, second.Parent);
        Assert.Equal(_tree.Expected.Files + 1, second.Files);
        Assert.Equal(second.Files, second.FilesUnchanged);
        Assert.Equal(0, second.BytesRead);
        Assert.Equal((await PathTrees.AlongAsync(repository, first.Tree, Other)).Own, (await PathTrees.AlongAsync(repository, second.Tree, Other)).Own);
        Assert.Equal(
            (await PathTrees.AlongAsync(repository, first.Tree, _tree.Source)).Own,
            (await PathTrees.AlongAsync(repository, second.Tree, _tree.Source)).Own);
    }

    [Fact]
    public async Task RestoreAsync_FormatOneSnapshot_RestoresLastComponentAtTargetAsBefore()
    {
        using var repository = await InitAsync();
        var v1 = await SaveFormatOneAsync(repository, [_tree.Source]);

        var snapshot = await new SnapshotCatalog(_store, repository).LoadAsync(v1, Ct);
        await new Restorer(repository).RestoreAsync(snapshot, Target, new RestoreOptions(), Ct);

        Assert.Equal(1, snapshot.Version);
        Assert.Equal(["src"], Directory.EnumerateFileSystemEntries(Target).Select(Path.GetFileName));
        Assert.Equal(
            await File.ReadAllBytesAsync(Path.Combine(_tree.Source, "big.bin"), Ct),
            await File.ReadAllBytesAsync(Path.Combine(Target, "src", "big.bin"), Ct));
    }

    [Fact]
    public async Task BackupAsync_FormatOneParentOfSamePath_ReadsNoFileAgain()
    {
        using var repository = await InitAsync();
        var v1 = await SaveFormatOneAsync(repository, [_tree.Source]);

        var next = await BackupAsync(repository, [_tree.Source]);

        Assert.Equal(v1, next.Parent);
        Assert.Equal(_tree.Expected.Files, next.FilesUnchanged);
        Assert.Equal(0, next.BytesRead);
    }

    [Fact]
    public async Task BackupAsync_FormatOneParentOfAnotherPathWithSameName_ReusesNothing()
    {
        using var repository = await InitAsync();

        // A format 1 parent whose "src" node was recorded for another path: same name, not the same folder.
        var v1 = await SaveFormatOneAsync(repository, [Other]);
        var next = await BackupAsync(repository, [_tree.Source], parent: v1);

        Assert.Equal(v1, next.Parent);
        Assert.Equal(0, next.FilesUnchanged);
        Assert.Equal(_tree.Expected.Bytes, next.BytesRead);
    }

    private Task<Repo> InitAsync() => Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct);

    private async Task<BackupSummary> BackupAsync(Repo repository, string[] paths, bool force = false, ObjectId? parent = null)
    {
        var request = new BackupRequest(paths) { Hostname = "test", Username = "tester", Force = force, Parent = parent };
        var summary = await new Archiver(repository, new SnapshotCatalog(_store, repository), _time).BackupAsync(request, Ct);
        Assert.Empty(summary.Errors);
        return summary;
    }

    /// <summary>
    /// A snapshot as ztdr wrote format 1: the root tree holds the backed-up folder under its last component, and
    /// <paramref name="recordedPaths"/> as its paths. The folder's node is taken from a format 2 backup of the source.
    /// </summary>
    private async Task<ObjectId> SaveFormatOneAsync(Repo repository, string[] recordedPaths)
    {
        var catalog = new SnapshotCatalog(_store, repository);
        var backup = await BackupAsync(repository, [_tree.Source], force: true);
        var snapshot = await catalog.LoadAsync(backup.SnapshotId, Ct);
        var tree = snapshot.Tree;
        TreeNode? node = null;
        foreach (var component in _tree.Source.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            node = (await Tree.LoadAsync(repository, tree, Ct)).Nodes.Single(n => n.Name == component);
            tree = node.Subtree!.Value;
        }

        var root = await new Tree([node!]).SaveAsync(repository, Ct);
        await catalog.ForgetAsync([backup.SnapshotId], _time.GetUtcNow(), Ct);
        return await catalog.SaveAsync(snapshot with { Version = 1, Tree = root, Paths = recordedPaths, Parent = null }, Ct);
    }
}
