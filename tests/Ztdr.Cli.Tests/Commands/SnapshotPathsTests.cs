using Ztdr.Cli.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Commands;

/// <summary>
/// Snapshots store absolute paths, as restic's: what was backed up is listed by its own path, restores under it, and
/// two folders of the same name go in one snapshot.
/// </summary>
public sealed class SnapshotPathsTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new("cli-paths");

    public SnapshotPathsTests()
    {
        Directory.CreateDirectory(_directory.Combine("data", "sub"));
        File.WriteAllText(_directory.Combine("data", "big"), "big file");
        File.WriteAllText(_directory.Combine("data", "sub", "c.txt"), "deeper");
    }

    private string Data => _directory.Combine("data");

    private string Out => _directory.Combine("out");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Ls_FileByTheAbsolutePathItWasBackedUpFrom_ListsIt()
    {
        await InitAsync();
        Assert.Equal(0, await Context().RunAsync("backup", Data));
        var test = Context();

        Assert.Equal(0, await test.RunAsync("ls", "latest", Path.Combine(Data, "big")));

        Assert.Equal([Path.Combine(Data, "big")], CliProcess.Lines(test.Out.ToString()));
    }

    [Fact]
    public async Task Restore_Latest_RecreatesTheAbsolutePathUnderTarget()
    {
        await InitAsync();
        Assert.Equal(0, await Context().RunAsync("backup", Data));

        Assert.Equal(0, await Context().RunAsync("restore", "latest", "--target", Out));

        Assert.Equal("big file", await File.ReadAllTextAsync(Out + Path.Combine(Data, "big")));
        Assert.Equal("deeper", await File.ReadAllTextAsync(Out + Path.Combine(Data, "sub", "c.txt")));
        Assert.Equal([Out + BackedUpPath.Above(Data)[0]], Directory.EnumerateFileSystemEntries(Out));
    }

    [Fact]
    public async Task Backup_RelativePathsEndingInSameName_BothStoredUnderTheirAbsolutePaths()
    {
        Directory.CreateDirectory(_directory.Combine("x", "etc"));
        Directory.CreateDirectory(_directory.Combine("y", "etc"));
        File.WriteAllText(_directory.Combine("x", "etc", "hosts"), "x hosts");
        File.WriteAllText(_directory.Combine("y", "etc", "hosts"), "y hosts");
        var environment = new Dictionary<string, string> { ["ZTDR_PASSWORD"] = "pw", ["ZTDR_REPOSITORY"] = _directory.Combine("repo") };
        var init = await CliProcess.RunAsync(environment, "init", "--retention", "1d");
        Assert.True(init.ExitCode == 0, init.ToString());

        var backup = await CliProcess.RunInAsync(_directory.Path, environment, "backup", "x/etc", "y/etc");

        Assert.True(backup.ExitCode == 0, backup.ToString());
        var restore = await CliProcess.RunAsync(environment, "restore", "latest", "--target", Out);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal("x hosts", await File.ReadAllTextAsync(BackedUpPath.Under(Out, _directory.Combine("x", "etc"), "hosts")));
        Assert.Equal("y hosts", await File.ReadAllTextAsync(BackedUpPath.Under(Out, _directory.Combine("y", "etc"), "hosts")));
    }

    [Fact]
    public async Task Backup_SamePathTwiceAndAFolderInsideIt_StoredOnce()
    {
        await InitAsync();
        var test = Context();

        Assert.Equal(0, await test.RunAsync("backup", Data, Path.Combine(Data, "sub"), Data + "/"));

        Assert.StartsWith("snapshot ", test.Out.ToString(), StringComparison.Ordinal);
        Assert.Contains(": 2 files, 2 dirs,", test.Out.ToString(), StringComparison.Ordinal);
        var ls = Context();
        Assert.Equal(0, await ls.RunAsync("ls", "latest", Data));
        Assert.Equal([Data, Path.Combine(Data, "big"), Path.Combine(Data, "sub"), Path.Combine(Data, "sub", "c.txt")], CliProcess.Lines(ls.Out.ToString()));
    }

    private async Task InitAsync() => Assert.Equal(0, await Context().RunAsync("init", "--retention", "1d"));

    private TestContext Context() =>
        new(new Dictionary<string, string> { ["ZTDR_PASSWORD"] = "pw", ["ZTDR_REPOSITORY"] = _directory.Combine("repo") });
}
