using System.Text;
using Ztdr.Backup.Archiving;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.FileSystem;
using Ztdr.Backup.Restoring;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Tests.Repository;
using Repo = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Backup.Tests.Restoring;

/// <summary>Hard links, raw (non-UTF-8) names, owners and symlink times.</summary>
public sealed partial class RestorerTests
{
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
}
