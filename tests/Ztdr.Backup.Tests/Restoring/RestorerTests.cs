using Ztdr.Backup.Archiving;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Restoring;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Archiving;
using Ztdr.Backup.Tests.Repository;
using Ztdr.Backup.Tests.Stores;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Restoring;

public sealed class RestorerTests : IDisposable
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly MemoryObjectStore _store;
    private readonly GeneratedTree _tree = new();

    public RestorerTests() => _store = new MemoryObjectStore(_time);

    private static CancellationToken Ct => CancellationToken.None;

    private string Target => Path.Combine(_tree.Root, "restored");

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task RestoreAsync_BackedUpTree_MatchesSourceByteForByteWithMetadata()
    {
        var (snapshot, repository) = await BackupAsync();
        using (repository)
        {
            var summary = await new Restorer(repository).RestoreAsync(snapshot, Target, new RestoreOptions(), Ct);

            var expected = _tree.Expected;
            Assert.Equal(expected.Files, summary.Files);
            Assert.Equal(expected.Dirs, summary.Dirs);
            Assert.Equal(expected.Symlinks, summary.Symlinks);
            Assert.Equal(expected.Bytes, summary.Bytes);
            AssertSameTree(_tree.Source, Path.Combine(Target, "src"));
            Assert.Empty(Directory.EnumerateFiles(Target, "*.ztdr-restore", SearchOption.AllDirectories));
        }
    }

    [Fact]
    public async Task RestoreAsync_ExistingFiles_RefusesWithoutOverwrite()
    {
        var (snapshot, repository) = await BackupAsync();
        using (repository)
        {
            var restorer = new Restorer(repository);
            await restorer.RestoreAsync(snapshot, Target, new RestoreOptions(), Ct);
            var victim = Path.Combine(Target, "src", "big.bin");
            await File.WriteAllTextAsync(victim, "local changes", Ct);

            var ex = await Assert.ThrowsAsync<IOException>(() => restorer.RestoreAsync(snapshot, Target, new RestoreOptions(), Ct));

            Assert.Contains("exists", ex.Message, StringComparison.Ordinal);
            Assert.Equal("local changes", await File.ReadAllTextAsync(victim, Ct));
        }
    }

    [Fact]
    public async Task RestoreAsync_ExistingFilesWithOverwrite_ReplacesThem()
    {
        var (snapshot, repository) = await BackupAsync();
        using (repository)
        {
            var restorer = new Restorer(repository);
            await restorer.RestoreAsync(snapshot, Target, new RestoreOptions(), Ct);
            await File.WriteAllTextAsync(Path.Combine(Target, "src", "big.bin"), "local changes", Ct);

            await restorer.RestoreAsync(snapshot, Target, new RestoreOptions { Overwrite = true }, Ct);

            AssertSameTree(_tree.Source, Path.Combine(Target, "src"));
        }
    }

    [Fact]
    public async Task RestoreTreeAsync_NameLeavingItsFolder_IsRefused()
    {
        using var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        var evil = await new Tree([new TreeNode { Name = "..", Type = NodeType.File, Size = 0, Content = [] }]).SaveAsync(repository, Ct);
        await repository.FlushAsync(Ct);

        await Assert.ThrowsAsync<RepositoryFormatException>(() => new Restorer(repository).RestoreTreeAsync(evil, Target, new RestoreOptions { Overwrite = true }, Ct));
    }

    [Fact]
    public async Task RestoreTreeAsync_BlobMissingFromRepository_LeavesNoPartialFile()
    {
        using var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        var present = await repository.SaveBlobAsync(BlobType.Data, new byte[] { 1, 2, 3 }, Ct);
        var missing = new BlobId(new byte[32]);
        var tree = await new Tree([new TreeNode { Name = "f", Type = NodeType.File, Size = 6, Content = [present, missing] }]).SaveAsync(repository, Ct);
        await repository.FlushAsync(Ct);

        await Assert.ThrowsAsync<KeyNotFoundException>(() => new Restorer(repository).RestoreTreeAsync(tree, Target, new RestoreOptions(), Ct));

        Assert.Empty(Directory.EnumerateFileSystemEntries(Target));
    }

    private async Task<(Snapshot Snapshot, Repo Repository)> BackupAsync()
    {
        using (var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct))
        {
            await new Archiver(repository, new SnapshotCatalog(_store, repository), _time).BackupAsync(new BackupRequest([_tree.Source]), Ct);
        }

        // Restore from a fresh session, as the CLI does: everything comes from the store.
        var reopened = await Repo.OpenAsync(_store, "secret", _time, Ct);
        var catalog = new SnapshotCatalog(_store, reopened);
        var (_, snapshot) = Assert.Single(await catalog.ListAsync(Ct));
        return (snapshot, reopened);
    }

    private static void AssertSameTree(string expected, string actual)
    {
        var expectedMeta = FileMetadata.Read(expected);
        var actualMeta = FileMetadata.Read(actual);
        Assert.Equal(expectedMeta.Kind, actualMeta.Kind);
        Assert.True(expectedMeta.MtimeNs == actualMeta.MtimeNs, $"mtime of {actual}");
        switch (expectedMeta.Kind)
        {
            case FileKind.Symlink:
                Assert.Equal(new FileInfo(expected).LinkTarget, new FileInfo(actual).LinkTarget);
                return;
            case FileKind.File:
                Assert.True(expectedMeta.Mode == actualMeta.Mode, $"mode of {actual}");
                Assert.True(File.ReadAllBytes(expected).AsSpan().SequenceEqual(File.ReadAllBytes(actual)), $"content of {actual}");
                return;
            case FileKind.Directory:
                Assert.True(expectedMeta.Mode == actualMeta.Mode, $"mode of {actual}");
                var options = new EnumerationOptions { AttributesToSkip = 0 };
                var names = Directory.EnumerateFileSystemEntries(expected, "*", options)
                    .Where(p => FileMetadata.Read(p).Kind != FileKind.Special)
                    .Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
                Assert.Equal(names, Directory.EnumerateFileSystemEntries(actual, "*", options).Select(Path.GetFileName).Order(StringComparer.Ordinal));
                foreach (var name in names)
                {
                    AssertSameTree(Path.Combine(expected, name!), Path.Combine(actual, name!));
                }

                return;
            default:
                Assert.Fail($"{expected} is a special file");
                return;
        }
    }
}
