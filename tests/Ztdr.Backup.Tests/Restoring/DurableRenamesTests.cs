using Ztdr.Backup.FileSystem;
using Ztdr.Backup.Restoring;
using Ztdr.Testing;

namespace Ztdr.Backup.Tests.Restoring;

public sealed class DurableRenamesTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new("durable-renames");
    private readonly List<int> _renamed = [];

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Add_BelowGroupSize_WaitsUnderTemporaryNameUntilFlush()
    {
        using var renames = new DurableRenames(PathOf(""), replace: false, _renamed.Add);
        File.WriteAllText(_directory.Combine(".t1"), "one");

        renames.Add(PathOf(".t1"), PathOf("one"), 3);

        Assert.False(File.Exists(_directory.Combine("one")));
        renames.Flush();
        Assert.Equal("one", File.ReadAllText(_directory.Combine("one")));
        Assert.False(File.Exists(_directory.Combine(".t1")));
        Assert.Equal([1], _renamed);
    }

    [Fact]
    public void Add_GroupFull_RenamesTheWholeGroupAtOnceAndKeepsFillingTheNext()
    {
        using var renames = new DurableRenames(PathOf(""), replace: false, _renamed.Add);

        // One past a group: the full group goes to the background, the last file starts the next group.
        for (var i = 0; i <= DurableRenames.MaxFiles; i++)
        {
            File.WriteAllText(_directory.Combine($".t{i}"), $"{i}");
            renames.Add(PathOf($".t{i}"), PathOf($"f{i}"), 1);
        }

        renames.Flush();

        Assert.Equal([DurableRenames.MaxFiles, 1], _renamed);
        Assert.Equal("7", File.ReadAllText(_directory.Combine("f7")));
        Assert.Equal($"{DurableRenames.MaxFiles}", File.ReadAllText(_directory.Combine($"f{DurableRenames.MaxFiles}")));
        Assert.Empty(Directory.GetFiles(_directory.Path, ".t*"));
    }

    [Fact]
    public void Add_BackgroundGroupFailed_LaterCallsThrowAndAbandonRemovesEveryTemporaryLeft()
    {
        using var renames = new DurableRenames(PathOf(""), replace: false, _renamed.Add);
        File.WriteAllText(_directory.Combine("f3"), "someone else's");

        // The first group fails at f3 in the background; the next group's files keep arriving meanwhile.
        var failed = false;
        for (var i = 0; i < 2 * DurableRenames.MaxFiles + 1 && !failed; i++)
        {
            File.WriteAllText(_directory.Combine($".t{i}"), $"{i}");
            try
            {
                renames.Add(PathOf($".t{i}"), PathOf($"f{i}"), 1);
            }
            catch (IOException)
            {
                failed = true;
            }
        }

        // Filling the second group waits for the first, so its failure has surfaced by the end at the latest.
        Assert.True(failed);
        Assert.Throws<IOException>(renames.Flush);
        renames.Abandon();

        Assert.Equal([3], _renamed);
        Assert.Equal("someone else's", File.ReadAllText(_directory.Combine("f3")));
        Assert.Equal("2", File.ReadAllText(_directory.Combine("f2")));
        Assert.Empty(Directory.GetFiles(_directory.Path, ".t*"));
        Assert.False(File.Exists(_directory.Combine("f4")));
    }

    [Fact]
    public void Flush_NameTakenMeanwhile_KeepsItAndAbandonRemovesOnlyTheWaitingTemporaries()
    {
        using var renames = new DurableRenames(PathOf(""), replace: false, _renamed.Add);
        File.WriteAllText(_directory.Combine(".t1"), "one");
        File.WriteAllText(_directory.Combine(".t2"), "two");
        File.WriteAllText(_directory.Combine(".t3"), "three");
        renames.Add(PathOf(".t1"), PathOf("one"), 3);
        renames.Add(PathOf(".t2"), PathOf("two"), 3);
        renames.Add(PathOf(".t3"), PathOf("three"), 5);
        File.WriteAllText(_directory.Combine("two"), "someone else's");

        Assert.Throws<IOException>(renames.Flush);
        renames.Abandon();

        Assert.Equal("one", File.ReadAllText(_directory.Combine("one")));
        Assert.Equal("someone else's", File.ReadAllText(_directory.Combine("two")));
        Assert.False(File.Exists(_directory.Combine("three")));
        Assert.Equal(["one", "two"], Directory.GetFiles(_directory.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal([1], _renamed);
    }

    private byte[] PathOf(string name) => PosixWriter.PathOf(name.Length == 0 ? _directory.Path : _directory.Combine(name));
}
