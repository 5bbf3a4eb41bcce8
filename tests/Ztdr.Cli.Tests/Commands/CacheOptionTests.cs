using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Commands;

/// <summary>
/// Where the local cache of tree packs goes, as restic users expect: <c>--cache-dir</c>, <c>ZTDR_CACHE_DIR</c>,
/// <c>$XDG_CACHE_HOME/ztdr</c>, <c>~/.cache/ztdr</c>; <c>--no-cache</c> writes none; verify never reads one.
/// </summary>
public sealed class CacheOptionTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new("cli-cache");

    public CacheOptionTests()
    {
        Directory.CreateDirectory(_directory.Combine("data", "sub"));
        File.WriteAllText(_directory.Combine("data", "a.txt"), "alpha");
        File.WriteAllText(_directory.Combine("data", "sub", "b.txt"), "bravo");
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Backup_XdgCacheHome_KeepsTreePacksUnderZtdrWithACacheDirTag()
    {
        var xdg = _directory.Combine("xdg");

        await InitAndBackupAsync(new() { ["XDG_CACHE_HOME"] = xdg, ["HOME"] = _directory.Combine("home") });

        Assert.True(File.Exists(Path.Combine(xdg, "ztdr", "CACHEDIR.TAG")));
        Assert.NotEmpty(PackFiles(Path.Combine(xdg, "ztdr")));
        Assert.False(Directory.Exists(_directory.Combine("home", ".cache")));
    }

    [Fact]
    public async Task Backup_OnlyHome_UsesDotCache()
    {
        await InitAndBackupAsync(new() { ["HOME"] = _directory.Combine("home") });

        Assert.NotEmpty(PackFiles(_directory.Combine("home", ".cache", "ztdr")));
    }

    [Fact]
    public async Task Backup_CacheDirOptionOverVariableOverXdg_UsesTheOption()
    {
        var environment = new Dictionary<string, string> { ["XDG_CACHE_HOME"] = _directory.Combine("xdg"), ["ZTDR_CACHE_DIR"] = _directory.Combine("variable") };
        await InitAndBackupAsync(environment, "--cache-dir", _directory.Combine("option"));

        Assert.NotEmpty(PackFiles(_directory.Combine("option")));
        Assert.Empty(PackFiles(_directory.Combine("variable")));
        Assert.Empty(PackFiles(_directory.Combine("xdg")));

        Assert.Equal(0, await Context(environment).RunAsync("ls", "latest"));
        Assert.NotEmpty(PackFiles(_directory.Combine("variable")));
    }

    [Fact]
    public async Task Backup_NoCache_WritesNoCacheAnywhere()
    {
        var environment = new Dictionary<string, string> { ["XDG_CACHE_HOME"] = _directory.Combine("xdg"), ["HOME"] = _directory.Combine("home") };

        await InitAndBackupAsync(environment, "--no-cache");
        Assert.Equal(0, await Context(environment).RunAsync("ls", "latest", "--no-cache"));

        Assert.False(Directory.Exists(_directory.Combine("xdg")));
        Assert.False(Directory.Exists(_directory.Combine("home", ".cache")));
    }

    [Fact]
    public async Task Verify_WithACacheFolder_ReadsAndWritesNone()
    {
        await InitAndBackupAsync(new(), "--no-cache");
        var cache = _directory.Combine("verify-cache");

        var test = Context(new() { ["ZTDR_CACHE_DIR"] = cache });
        Assert.Equal(0, await test.RunAsync("verify"));

        Assert.False(Directory.Exists(cache));
    }

    private async Task InitAndBackupAsync(Dictionary<string, string> environment, params string[] backupOptions)
    {
        Assert.Equal(0, await Context(environment).RunAsync("init", "--retention", "1d"));
        var backup = Context(environment);
        Assert.Equal(0, await backup.RunAsync(["backup", _directory.Combine("data"), .. backupOptions]));
        Assert.DoesNotContain("local cache", backup.Error.ToString(), StringComparison.Ordinal);
    }

    private TestContext Context(Dictionary<string, string> environment)
    {
        environment["ZTDR_PASSWORD"] = "pw";
        environment["ZTDR_REPOSITORY"] = _directory.Combine("repo");
        return new TestContext(environment);
    }

    private static string[] PackFiles(string root) =>
        Directory.Exists(root) ? [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f).Length == 64)] : [];
}
