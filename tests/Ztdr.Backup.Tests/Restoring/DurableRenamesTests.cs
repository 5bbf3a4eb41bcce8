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
    public void Add_GroupFull_RenamesTheWholeGroupAtOnce()
    {
        using var renames = new DurableRenames(PathOf(""), replace: false, _renamed.Add);

        for (var i = 0; i < DurableRenames.MaxFiles; i++)
        {
            File.WriteAllText(_directory.Combine($".t{i}"), $"{i}");
            renames.Add(PathOf($".t{i}"), PathOf($"f{i}"), 1);
        }

        Assert.Equal([DurableRenames.MaxFiles], _renamed);
        Assert.Equal("7", File.ReadAllText(_directory.Combine("f7")));
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
