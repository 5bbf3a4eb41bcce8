using Ztdr.Backup.Archiving;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Restoring;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Archiving;
using Ztdr.Backup.Tests.Repository;
using Ztdr.Backup.Tests.Stores;
using Ztdr.Testing;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Restoring;

public sealed partial class RestorerTests : IDisposable
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
            Assert.Equal(expected.Dirs + BackedUpPath.FoldersAbove(_tree.Source), summary.Dirs);
            Assert.Equal(expected.Symlinks, summary.Symlinks);
            Assert.Equal(expected.Bytes, summary.Bytes);
            AssertSameTree(_tree.Source, Restored());
            AssertNoTemporaryFiles(Target);
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
            var victim = Restored("big.bin");
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
            await File.WriteAllTextAsync(Restored("big.bin"), "local changes", Ct);

            await restorer.RestoreAsync(snapshot, Target, new RestoreOptions { Overwrite = true }, Ct);

            AssertSameTree(_tree.Source, Restored());
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

    [Fact]
    public async Task RestoreAsync_ExistingFileLateInTree_RefusesBeforeWritingAnything()
    {
        var (snapshot, repository) = await BackupAsync();
        using (repository)
        {
            var victim = Restored("script.sh");
            Directory.CreateDirectory(Path.GetDirectoryName(victim)!);
            await File.WriteAllTextAsync(victim, "mine", Ct);

            var ex = await Assert.ThrowsAsync<IOException>(() => new Restorer(repository).RestoreAsync(snapshot, Target, new RestoreOptions(), Ct));

            Assert.Contains(victim, ex.Message, StringComparison.Ordinal);
            Assert.Equal([victim], Directory.EnumerateFileSystemEntries(Target, "*", SearchOption.AllDirectories).Where(p => !Directory.Exists(p)));
            Assert.Equal([.. FoldersAboveSource.Select(f => Path.Combine(Target, f)), Restored()], Directory.EnumerateDirectories(Target, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            Assert.Equal("mine", await File.ReadAllTextAsync(victim, Ct));
        }
    }

    [Fact]
    public async Task RestoreAsync_IntoExistingEmptyFolder_Works()
    {
        var (snapshot, repository) = await BackupAsync();
        using (repository)
        {
            Directory.CreateDirectory(Target);

            await new Restorer(repository).RestoreAsync(snapshot, Target, new RestoreOptions(), Ct);

            AssertSameTree(_tree.Source, Restored());
        }
    }

    [Fact]
    public async Task RestoreAsync_TargetIsSymlinkToFolder_RestoresIntoThatFolder()
    {
        var (snapshot, repository) = await BackupAsync();
        using (repository)
        {
            var real = Path.Combine(_tree.Root, "real");
            Directory.CreateDirectory(real);
            File.CreateSymbolicLink(Target, real);

            await new Restorer(repository).RestoreAsync(snapshot, Target, new RestoreOptions(), Ct);

            AssertSameTree(_tree.Source, BackedUpPath.Under(real, _tree.Source));
        }
    }

    [Fact]
    public async Task RestoreAsync_TargetIsFile_Refused()
    {
        var (snapshot, repository) = await BackupAsync();
        using (repository)
        {
            await File.WriteAllTextAsync(Target, "a file", Ct);

            var ex = await Assert.ThrowsAsync<IOException>(() => new Restorer(repository).RestoreAsync(snapshot, Target, new RestoreOptions(), Ct));

            Assert.Contains("not a folder", ex.Message, StringComparison.Ordinal);
            Assert.Equal("a file", await File.ReadAllTextAsync(Target, Ct));
        }
    }

    [Fact]
    public async Task RestoreAsync_OneWorker_SameTreeAsParallel()
    {
        var (snapshot, repository) = await BackupAsync();
        using (repository)
        {
            await new Restorer(repository).RestoreAsync(snapshot, Target, new RestoreOptions { Workers = 1 }, Ct);

            AssertSameTree(_tree.Source, Restored());
        }
    }

    [Fact]
    public async Task RestoreAsync_IncludeFolder_RestoresItAndCreatesOnlyItsParents()
    {
        var (snapshot, repository) = await BackupAsync();
        using (repository)
        {
            var options = new RestoreOptions { Filter = new RestoreFilter(["src/docs/deep"], []) };

            var summary = await new Restorer(repository).RestoreAsync(snapshot, Target, options, Ct);

            AssertSameTree(Path.Combine(_tree.Source, "docs", "deep"), Restored("docs", "deep"));
            Assert.Equal(["docs"], Directory.EnumerateFileSystemEntries(Restored()).Select(Path.GetFileName));
            Assert.Equal(["deep"], Directory.EnumerateFileSystemEntries(Restored("docs")).Select(Path.GetFileName));
            Assert.Equal(2, summary.Files);
            Assert.Equal(4 + BackedUpPath.FoldersAbove(_tree.Source), summary.Dirs);
        }
    }

    [Fact]
    public async Task RestoreAsync_IncludeGlobAnywhere_RestoresMatchesAndTheirFoldersOnly()
    {
        var (snapshot, repository) = await BackupAsync();
        using (repository)
        {
            var options = new RestoreOptions { Filter = new RestoreFilter(["*.dat", "script.sh"], []) };

            await new Restorer(repository).RestoreAsync(snapshot, Target, options, Ct);

            var restored = Directory.EnumerateFileSystemEntries(Target, "*", SearchOption.AllDirectories)
                .Select(p => Path.GetRelativePath(Target, p)).Order(StringComparer.Ordinal);
            var src = BackedUpPath.InSnapshot(_tree.Source);
            Assert.Equal([.. FoldersAboveSource, src, $"{src}/docs", $"{src}/docs/deep", $"{src}/docs/deep/deeper", $"{src}/docs/deep/deeper/empty.dat", $"{src}/script.sh"], restored);
            Assert.Equal(FileMetadata.Read(Path.Combine(_tree.Source, "script.sh")).Mode, FileMetadata.Read(Restored("script.sh")).Mode);
        }
    }

    [Fact]
    public async Task RestoreAsync_Exclude_SkipsMatchesAndEverythingUnderThem()
    {
        var (snapshot, repository) = await BackupAsync();
        using (repository)
        {
            // An anchored pattern names the absolute path, as restic's do.
            var options = new RestoreOptions { Filter = new RestoreFilter([], ["*.txt", Path.Combine(_tree.Source, "docs", "deep")]) };

            var summary = await new Restorer(repository).RestoreAsync(snapshot, Target, options, Ct);

            var restored = Directory.EnumerateFileSystemEntries(Target, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(Target, p)).ToList();
            var src = BackedUpPath.InSnapshot(_tree.Source);
            Assert.DoesNotContain(restored, p => p.EndsWith(".txt", StringComparison.Ordinal) || p.StartsWith($"{src}/docs/deep", StringComparison.Ordinal));
            Assert.Contains($"{src}/docs/dangling", restored);
            Assert.Contains($"{src}/empty-nested/inner", restored);
            Assert.Equal(2, summary.Files); // big.bin and script.sh
        }
    }

    [Fact]
    public async Task RestoreTreeAsync_DamagedBlob_LeavesNoPartialOrTemporaryFile()
    {
        var damagedPack = "";
        BlobId tree;
        using (var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct))
        {
            var good = await repository.SaveBlobAsync(BlobType.Data, RandomBytes(1, 64 * 1024), Ct);
            await repository.FlushAsync(Ct);
            var before = await PackNamesAsync();
            var bad = await repository.SaveBlobAsync(BlobType.Data, RandomBytes(2, 1024 * 1024), Ct);
            await repository.FlushAsync(Ct);
            damagedPack = Assert.Single((await PackNamesAsync()).Except(before));
            tree = await new Tree(
            [
                new TreeNode { Name = "f", Type = NodeType.File, Mode = 420, Size = 64 * 1024 + 1024 * 1024, Content = [good, bad] },
                new TreeNode { Name = "g", Type = NodeType.File, Mode = 420, Size = 1024 * 1024, Content = [bad] },
            ]).SaveAsync(repository, Ct);
            await repository.FlushAsync(Ct);
        }

        // Storage cannot overwrite a locked name, so the attack is a store that serves other bytes: model it with a copy.
        var tampered = new MemoryObjectStore(_time);
        await foreach (var item in _store.ListAsync(cancellationToken: Ct))
        {
            var bytes = await ReadAllAsync(item.Name);
            if (item.Name == damagedPack)
            {
                bytes[bytes.Length / 2] ^= 0x01;
            }

            await tampered.PutNewAsync(item.Name, bytes, null, Ct);
        }

        using var reopened = await Repo.OpenAsync(tampered, "secret", _time, Ct);
        await Assert.ThrowsAsync<CryptographicIntegrityException>(() => new Restorer(reopened).RestoreTreeAsync(tree, Target, new RestoreOptions(), Ct));

        Assert.Empty(Directory.EnumerateFileSystemEntries(Target));
    }

    [Fact]
    public async Task RestoreTreeAsync_Cancelled_LeavesNoPartialOrTemporaryFile()
    {
        using var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        List<BlobId> content = [];
        for (var i = 0; i < 8; i++)
        {
            content.Add(await repository.SaveBlobAsync(BlobType.Data, RandomBytes(i, 256 * 1024), Ct));
        }

        var tree = await new Tree([new TreeNode { Name = "f", Type = NodeType.File, Mode = 420, Size = 8 * 256 * 1024, Content = content }]).SaveAsync(repository, Ct);
        await repository.FlushAsync(Ct);
        using var cancel = new CancellationTokenSource();
        var options = new RestoreOptions { Workers = 1, Progress = new CancelOnFirstBlob(cancel) };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new Restorer(repository).RestoreTreeAsync(tree, Target, options, cancel.Token));

        Assert.Empty(Directory.EnumerateFileSystemEntries(Target));
    }
}
