using Ztdr.Backup.Archiving;
using Ztdr.Backup.FileSystem;
using Ztdr.Testing;

namespace Ztdr.Backup.Tests.Restoring;

/// <summary>The guarantees the restorer builds on: never replace without being asked, never follow a planted symlink.</summary>
public sealed class PosixWriterTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new("posix-writer");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Rename_WithoutReplace_ExistingTarget_FailsAndKeepsBoth()
    {
        File.WriteAllText(_directory.Combine("new"), "new");
        File.WriteAllText(_directory.Combine("old"), "old");

        var ex = Assert.Throws<IOException>(() => PosixWriter.Rename(PathOf("new"), PathOf("old"), replace: false));

        Assert.Contains(_directory.Combine("old"), ex.Message, StringComparison.Ordinal);
        Assert.Equal("old", File.ReadAllText(_directory.Combine("old")));
        Assert.Equal("new", File.ReadAllText(_directory.Combine("new")));
    }

    [Fact]
    public void Rename_WithReplace_ReplacesAndRemovesTheSource()
    {
        File.WriteAllText(_directory.Combine("new"), "new");
        File.WriteAllText(_directory.Combine("old"), "old");

        PosixWriter.Rename(PathOf("new"), PathOf("old"), replace: true);

        Assert.Equal("new", File.ReadAllText(_directory.Combine("old")));
        Assert.False(File.Exists(_directory.Combine("new")));
    }

    [Fact]
    public void Rename_WithReplace_BothNamesOneInode_SourceStillGoes()
    {
        File.WriteAllText(_directory.Combine("old"), "same");
        PosixWriter.CreateHardLink(PathOf("old"), PathOf("temp"));

        PosixWriter.Rename(PathOf("temp"), PathOf("old"), replace: true);

        Assert.False(File.Exists(_directory.Combine("temp")));
        Assert.Equal(1u, FileMetadata.Read(_directory.Combine("old")).Links);
    }

    [Fact]
    public void CreateNewFile_PlantedSymlink_FailsWithoutTouchingItsTarget()
    {
        File.WriteAllText(_directory.Combine("victim"), "keep");
        File.CreateSymbolicLink(_directory.Combine("planted"), _directory.Combine("victim"));

        Assert.Throws<IOException>(() => PosixWriter.CreateNewFile(PathOf("planted")).Dispose());

        Assert.Equal("keep", File.ReadAllText(_directory.Combine("victim")));
    }

    [Fact]
    public void SetModificationTime_Symlink_SetsTheLinkNotItsTarget()
    {
        File.WriteAllText(_directory.Combine("target"), "t");
        var before = FileMetadata.Read(_directory.Combine("target")).MtimeNs;
        PosixWriter.CreateSymlink(PathOf("target"), PathOf("link"));

        PosixWriter.SetModificationTime(PathOf("link"), 1_234_567_890_123_456_789);

        Assert.Equal(1_234_567_890_123_456_789, FileMetadata.Read(_directory.Combine("link")).MtimeNs);
        Assert.Equal(before, FileMetadata.Read(_directory.Combine("target")).MtimeNs);
    }

    [Fact]
    public void SetModificationTime_BeforeEpoch_KeepsNanoseconds()
    {
        File.WriteAllText(_directory.Combine("old"), "o");

        PosixWriter.SetModificationTime(PathOf("old"), -1_500_000_001);

        Assert.Equal(-1_500_000_001, FileMetadata.Read(_directory.Combine("old")).MtimeNs);
    }

    [Fact]
    public void CreateDirectory_Existing_ReturnsFalse_FileInTheWay_Throws()
    {
        Assert.True(PosixWriter.CreateDirectory(PathOf("d")));
        Assert.False(PosixWriter.CreateDirectory(PathOf("d")));
        File.WriteAllText(_directory.Combine("f"), "f");

        Assert.Throws<IOException>(() => PosixWriter.CreateDirectory(PathOf("f")));
    }

    [Fact]
    public void RemoveIfPresent_Missing_IsNotAnError()
    {
        PosixWriter.RemoveIfPresent(PathOf("missing"));

        Assert.Equal(PosixWriter.PathKind.None, PosixWriter.KindOf(PathOf("missing")));
    }

    private byte[] PathOf(string name) => PosixWriter.PathOf(_directory.Combine(name));
}
