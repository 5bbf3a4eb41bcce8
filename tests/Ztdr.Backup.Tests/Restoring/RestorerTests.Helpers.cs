using Ztdr.Backup.Archiving;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Restoring;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Tests.Repository;
using Ztdr.Testing;
using Repo = Ztdr.Backup.Repository.Repository;
using RepositoryObjectNames = Ztdr.Backup.Repository.RepositoryObjectNames;

namespace Ztdr.Backup.Tests.Restoring;

/// <summary>The the backup, tree and file helpers the restore tests share.</summary>
public sealed partial class RestorerTests
{
    // The source restores under its absolute path (snapshot format 2).
    private string Restored(params string[] below) => BackedUpPath.Under(Target, _tree.Source, below);

    // The folders a restore creates above the source, relative to the target: "tmp", "tmp/ztdr-at-…".
    private IEnumerable<string> FoldersAboveSource
    {
        get
        {
            var components = BackedUpPath.InSnapshot(_tree.Source).Split('/');
            return Enumerable.Range(1, components.Length - 1).Select(n => string.Join('/', components[..n]));
        }
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
