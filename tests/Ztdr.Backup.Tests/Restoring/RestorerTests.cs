using System.Text;
using Ztdr.Backup.Archiving;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.FileSystem;
using Ztdr.Backup.Restoring;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Tests.Archiving;
using Ztdr.Backup.Tests.Repository;
using Ztdr.Backup.Tests.Stores;
using Repo = Ztdr.Backup.Repository.Repository;
using RepositoryObjectNames = Ztdr.Backup.Repository.RepositoryObjectNames;

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

    [Fact]
    public async Task RestoreAsync_ExistingFileLateInTree_RefusesBeforeWritingAnything()
    {
        var (snapshot, repository) = await BackupAsync();
        using (repository)
        {
            var victim = Path.Combine(Target, "src", "script.sh");
            Directory.CreateDirectory(Path.GetDirectoryName(victim)!);
            await File.WriteAllTextAsync(victim, "mine", Ct);

            var ex = await Assert.ThrowsAsync<IOException>(() => new Restorer(repository).RestoreAsync(snapshot, Target, new RestoreOptions(), Ct));

            Assert.Contains(victim, ex.Message, StringComparison.Ordinal);
            Assert.Equal([victim], Directory.EnumerateFileSystemEntries(Target, "*", SearchOption.AllDirectories).Where(p => !Directory.Exists(p)));
            Assert.Equal([Path.Combine(Target, "src")], Directory.EnumerateDirectories(Target, "*", SearchOption.AllDirectories));
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

            AssertSameTree(_tree.Source, Path.Combine(Target, "src"));
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

            AssertSameTree(_tree.Source, Path.Combine(real, "src"));
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

            AssertSameTree(_tree.Source, Path.Combine(Target, "src"));
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

            AssertSameTree(Path.Combine(_tree.Source, "docs", "deep"), Path.Combine(Target, "src", "docs", "deep"));
            Assert.Equal(["docs"], Directory.EnumerateFileSystemEntries(Path.Combine(Target, "src")).Select(Path.GetFileName));
            Assert.Equal(["deep"], Directory.EnumerateFileSystemEntries(Path.Combine(Target, "src", "docs")).Select(Path.GetFileName));
            Assert.Equal(2, summary.Files);
            Assert.Equal(4, summary.Dirs);
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
            Assert.Equal(["src", "src/docs", "src/docs/deep", "src/docs/deep/deeper", "src/docs/deep/deeper/empty.dat", "src/script.sh"], restored);
            Assert.Equal(FileMetadata.Read(Path.Combine(_tree.Source, "script.sh")).Mode, FileMetadata.Read(Path.Combine(Target, "src", "script.sh")).Mode);
        }
    }

    [Fact]
    public async Task RestoreAsync_Exclude_SkipsMatchesAndEverythingUnderThem()
    {
        var (snapshot, repository) = await BackupAsync();
        using (repository)
        {
            var options = new RestoreOptions { Filter = new RestoreFilter([], ["*.txt", "/src/docs/deep"]) };

            var summary = await new Restorer(repository).RestoreAsync(snapshot, Target, options, Ct);

            var restored = Directory.EnumerateFileSystemEntries(Target, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(Target, p)).ToList();
            Assert.DoesNotContain(restored, p => p.EndsWith(".txt", StringComparison.Ordinal) || p.StartsWith("src/docs/deep", StringComparison.Ordinal));
            Assert.Contains("src/docs/dangling", restored);
            Assert.Contains("src/empty-nested/inner", restored);
            Assert.Equal(2, summary.Files); // big.bin and script.sh
        }
    }

    [Fact]
    public async Task RestoreTreeAsync_HardLinkSet_LaterNodesShareTheFirstInode()
    {
        using var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        var data = await repository.SaveBlobAsync(BlobType.Data, "linked content"u8.ToArray(), Ct);
        var other = await repository.SaveBlobAsync(BlobType.Data, "not linked"u8.ToArray(), Ct);
        var sub = await new Tree([HardLinked("c", data, 7)]).SaveAsync(repository, Ct);
        var tree = await new Tree(
        [
            HardLinked("a", data, 7),
            HardLinked("b", data, 7),
            HardLinked("x", other, 8) with { Size = 10 },
            new TreeNode { Name = "sub", Type = NodeType.Dir, Mode = 493, Subtree = sub },
        ]).SaveAsync(repository, Ct);
        await repository.FlushAsync(Ct);

        var summary = await new Restorer(repository).RestoreTreeAsync(tree, Target, new RestoreOptions(), Ct);

        var a = FileMetadata.Read(Path.Combine(Target, "a"));
        Assert.Equal(3u, a.Links);
        Assert.Equal(a.Inode, FileMetadata.Read(Path.Combine(Target, "b")).Inode);
        Assert.Equal(a.Inode, FileMetadata.Read(Path.Combine(Target, "sub", "c")).Inode);
        Assert.Equal(1u, FileMetadata.Read(Path.Combine(Target, "x")).Links);
        Assert.Equal("linked content", await File.ReadAllTextAsync(Path.Combine(Target, "sub", "c"), Ct));
        Assert.Equal((2L, 2L), (summary.Files, summary.HardLinks));
    }

    [Fact]
    public async Task RestoreTreeAsync_HardLinkFirstNotIncluded_FirstIncludedBecomesTheFile()
    {
        using var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        var data = await repository.SaveBlobAsync(BlobType.Data, "linked content"u8.ToArray(), Ct);
        var tree = await new Tree([HardLinked("a", data, 7), HardLinked("b", data, 7), HardLinked("c", data, 7)]).SaveAsync(repository, Ct);
        await repository.FlushAsync(Ct);
        var options = new RestoreOptions { Filter = new RestoreFilter(["/b", "/c"], []) };

        await new Restorer(repository).RestoreTreeAsync(tree, Target, options, Ct);

        Assert.False(File.Exists(Path.Combine(Target, "a")));
        var b = FileMetadata.Read(Path.Combine(Target, "b"));
        Assert.Equal(2u, b.Links);
        Assert.Equal(b.Inode, FileMetadata.Read(Path.Combine(Target, "c")).Inode);
        Assert.Equal("linked content", await File.ReadAllTextAsync(Path.Combine(Target, "b"), Ct));
    }

    [Fact]
    public async Task RestoreTreeAsync_RawNames_CreatedWithTheirExactBytes()
    {
        using var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        byte[] fileName = [(byte)'f', 0xff, (byte)'1'];
        byte[] folderName = [(byte)'d', 0xc3, 0x28];
        byte[] linkName = [(byte)'l', 0xfe];
        var data = await repository.SaveBlobAsync(BlobType.Data, "raw"u8.ToArray(), Ct);
        var inner = await new Tree([RawFile(fileName, data, 3)]).SaveAsync(repository, Ct);
        var tree = await new Tree(
        [
            new TreeNode { NameRaw = folderName, Type = NodeType.Dir, Mode = 448, MtimeNs = 1_000_000_000_123, Subtree = inner },
            new TreeNode { NameRaw = linkName, Type = NodeType.Symlink, MtimeNs = 2_000_000_000_456, LinkTarget = "somewhere" },
        ]).SaveAsync(repository, Ct);
        await repository.FlushAsync(Ct);

        await new Restorer(repository).RestoreTreeAsync(tree, Target, new RestoreOptions(), Ct);

        var root = PosixWriter.PathOf(Target);
        var folder = PosixWriter.Join(PosixWriter.Bytes(root), folderName);
        var file = PosixWriter.Join(PosixWriter.Bytes(folder), fileName);
        Assert.Equal(PosixWriter.PathKind.Directory, PosixWriter.KindOf(folder));
        Assert.Equal(PosixWriter.PathKind.File, PosixWriter.KindOf(file));
        var link = PosixWriter.Join(PosixWriter.Bytes(root), linkName);
        Assert.Equal(PosixWriter.PathKind.Symlink, PosixWriter.KindOf(link));
        Assert.Equal(2, Directory.EnumerateFileSystemEntries(Target).Count());

        // The display form (U+FFFD for the bad bytes) must not be what was created.
        Assert.False(Directory.Exists(Path.Combine(Target, Encoding.UTF8.GetString(folderName))));

        // Moved to UTF-8 names by their raw bytes, the folder holds its mode and time and the file its content.
        var movedFolder = Path.Combine(Target, "folder");
        PosixWriter.Rename(folder, PosixWriter.PathOf(movedFolder), replace: false);
        var folderMeta = FileMetadata.Read(movedFolder);
        Assert.Equal((448u, 1_000_000_000_123L), (folderMeta.Mode, folderMeta.MtimeNs));
        PosixWriter.Rename(PosixWriter.Join(PosixWriter.Bytes(PosixWriter.PathOf(movedFolder)), fileName), PosixWriter.PathOf(Path.Combine(Target, "file")), replace: false);
        Assert.Equal("raw", await File.ReadAllTextAsync(Path.Combine(Target, "file"), Ct));
        Assert.Equal(416u, FileMetadata.Read(Path.Combine(Target, "file")).Mode);
        PosixWriter.Rename(link, PosixWriter.PathOf(Path.Combine(Target, "link")), replace: false);
        Assert.Equal("somewhere", new FileInfo(Path.Combine(Target, "link")).LinkTarget);
        Assert.Equal(2_000_000_000_456L, FileMetadata.Read(Path.Combine(Target, "link")).MtimeNs);
    }

    [Fact]
    public async Task RestoreTreeAsync_OwnersAndSymlinkTime_RestoredWhenRoot()
    {
        using var repository = await Repo.InitAsync(_store, "secret", Retention, _time, RepositoryTests.TestKdf, cancellationToken: Ct);
        var data = await repository.SaveBlobAsync(BlobType.Data, "owned"u8.ToArray(), Ct);
        var tree = await new Tree(
        [
            new TreeNode { Name = "f", Type = NodeType.File, Mode = 0x9ed, Uid = 1234, Gid = 5678, MtimeNs = 3_000_000_000_789, Size = 5, Content = [data] },
            new TreeNode { Name = "l", Type = NodeType.Symlink, Uid = 4321, Gid = 8765, MtimeNs = 4_000_000_000_001, LinkTarget = "f" },
        ]).SaveAsync(repository, Ct);
        await repository.FlushAsync(Ct);

        await new Restorer(repository).RestoreTreeAsync(tree, Target, new RestoreOptions(), Ct);

        var file = FileMetadata.Read(Path.Combine(Target, "f"));
        var link = FileMetadata.Read(Path.Combine(Target, "l"));
        Assert.Equal(4_000_000_000_001L, link.MtimeNs);
        Assert.Equal(3_000_000_000_789L, file.MtimeNs);
        if (PosixWriter.CanSetOwner)
        {
            // setuid (0x800) survives because the owner is set before the mode.
            Assert.Equal((1234u, 5678u, 0x9edu), (file.Uid, file.Gid, file.Mode));
            Assert.Equal((4321u, 8765u), (link.Uid, link.Gid));
        }
        else
        {
            Assert.Equal(0x9edu, file.Mode);
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

    private static TreeNode HardLinked(string name, BlobId data, long linkId) =>
        new() { Name = name, Type = NodeType.File, Mode = 420, Size = 14, Links = 3, HardLinkId = linkId, Content = [data] };

    private static TreeNode RawFile(byte[] name, BlobId data, long size) =>
        new() { NameRaw = name, Type = NodeType.File, Mode = 416, Size = size, Content = [data] };

    private static byte[] RandomBytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private async Task<List<string>> PackNamesAsync()
    {
        List<string> names = [];
        await foreach (var item in _store.ListAsync(RepositoryObjectNames.DataPrefix, Ct))
        {
            names.Add(item.Name);
        }

        return names;
    }

    private async Task<byte[]> ReadAllAsync(string name)
    {
        await using var stream = await _store.GetAsync(name, cancellationToken: Ct);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }

    private static void AssertNoTemporaryFiles(string folder) =>
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder, "*ztdr-restore*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }));

    private sealed class CancelOnFirstBlob(CancellationTokenSource cancel) : IProgress<RestoreProgress>
    {
        public void Report(RestoreProgress value) => cancel.Cancel();
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
