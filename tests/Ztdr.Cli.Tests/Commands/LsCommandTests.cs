using System.Text.Json;
using System.Text.RegularExpressions;
using Ztdr.Cli.Commands;
using Ztdr.Cli.Tests.Vault;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Commands;

/// <summary>ls in process, against a folder repository holding one snapshot of a small tree.</summary>
public sealed class LsCommandTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new("cli-ls");

    public LsCommandTests()
    {
        var source = _directory.Combine("src");
        Directory.CreateDirectory(Path.Combine(source, "sub"));
        File.WriteAllText(Path.Combine(source, "a.txt"), "hello");
        File.WriteAllText(Path.Combine(source, "sub", "c.txt"), "deeper");
        File.CreateSymbolicLink(Path.Combine(source, "link"), "a.txt");
        File.SetUnixFileMode(Path.Combine(source, "a.txt"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
    }

    // Snapshots store absolute paths: the source is listed under its own, below the folders above it.
    private string Src => _directory.Combine("src");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Ls_Latest_EveryPathFolderFirstInTreeOrder()
    {
        await BackupAsync();
        var test = Context();

        Assert.Equal(0, await test.RunAsync("ls", "latest"));

        Assert.Equal([.. BackedUpPath.Above(Src), Src, $"{Src}/a.txt", $"{Src}/link", $"{Src}/sub", $"{Src}/sub/c.txt"], CliProcess.Lines(test.Out.ToString()));
    }

    [Theory]
    [InlineData("{src}/sub", new[] { "{src}/sub", "{src}/sub/c.txt" })]
    [InlineData("{src-relative}/sub/", new[] { "{src}/sub", "{src}/sub/c.txt" })]
    [InlineData("{src}/a.txt", new[] { "{src}/a.txt" })]
    [InlineData("/", new[] { "{above}", "{src}", "{src}/a.txt", "{src}/link", "{src}/sub", "{src}/sub/c.txt" })]
    public async Task Ls_Path_OnlyThatPathAndBelow(string path, string[] expected)
    {
        await BackupAsync();
        var test = Context();

        Assert.Equal(0, await test.RunAsync("ls", "latest", Expand(path)));

        Assert.Equal(expected.SelectMany(e => e == "{above}" ? BackedUpPath.Above(Src) : [Expand(e)]), CliProcess.Lines(test.Out.ToString()));
    }

    [Fact]
    public async Task Ls_Long_ModeOwnerSizeTimeAndSymlinkTarget()
    {
        await BackupAsync();
        var test = Context();

        Assert.Equal(0, await test.RunAsync("ls", "latest", Src, "-l"));

        var lines = CliProcess.Lines(test.Out.ToString());
        var src = Regex.Escape(Src);
        Assert.Matches(@"^drwx[-rwxsStT]{6} +\d+ +\d+ +0 \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ " + src + "$", lines[0]);
        Assert.Matches(@"^-rw-r----- +\d+ +\d+ +5 \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ " + src + @"/a\.txt$", lines[1]);
        Assert.Matches(@"^lrwxrwxrwx +\d+ +\d+ +0 .* " + src + @"/link -> a\.txt$", lines[2]);
    }

    [Fact]
    public async Task Ls_Json_OneObjectPerLine()
    {
        await BackupAsync();
        var test = Context();

        Assert.Equal(0, await test.RunAsync("ls", "latest", "--json"));

        var nodes = CliProcess.Lines(test.Out.ToString()).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(5 + BackedUpPath.Above(Src).Count, nodes.Count);
        var file = nodes.Single(n => n.GetProperty("path").GetString() == $"{Src}/a.txt");
        Assert.Equal("file", file.GetProperty("type").GetString());
        Assert.Equal(5, file.GetProperty("size").GetInt64());
        Assert.Equal(416, file.GetProperty("mode").GetInt32());
        Assert.Equal("-rw-r-----", file.GetProperty("permissions").GetString());
        var link = nodes.Single(n => n.GetProperty("path").GetString() == $"{Src}/link");
        Assert.Equal("a.txt", link.GetProperty("linkTarget").GetString());
        Assert.Equal("dir", nodes[0].GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("{src}/nope")]
    [InlineData("{src}/a.txt/below")]
    [InlineData("/src")]
    public async Task Ls_PathNotInSnapshot_FailsInOneLine(string path)
    {
        await BackupAsync();
        var test = Context();
        path = Expand(path);

        Assert.Equal(CommandErrors.Failed, await test.RunAsync("ls", "latest", path));

        var line = Assert.Single(CliProcess.Lines(test.Error.ToString()), l => !l.StartsWith("ztdr: warning:", StringComparison.Ordinal));
        Assert.StartsWith($"ztdr: '{path}' is not in snapshot ", line, StringComparison.Ordinal);
        Assert.Empty(test.Out.ToString());
    }

    [Theory]
    [InlineData('-', 0b100_111_101_101u, "-rwsr-xr-x")]
    [InlineData('-', 0b010_110_100_000u, "-rw-r-S---")]
    [InlineData('d', 0b001_111_111_111u, "drwxrwxrwt")]
    [InlineData('d', 0b001_111_111_110u, "drwxrwxrwT")]
    [InlineData('l', 0b000_111_111_111u, "lrwxrwxrwx")]
    public void Permissions_SpecialBits(char type, uint mode, string expected) => Assert.Equal(expected, LsCommand.Permissions(type, mode));

    private string Expand(string path) => path.Replace("{src-relative}", Src.TrimStart('/'), StringComparison.Ordinal).Replace("{src}", Src, StringComparison.Ordinal);

    private async Task BackupAsync()
    {
        Assert.Equal(0, await Context().RunAsync("init", "--retention", "1d"));
        Assert.Equal(0, await Context().RunAsync("backup", _directory.Combine("src")));
    }

    private TestContext Context() =>
        new(new Dictionary<string, string> { ["ZTDR_PASSWORD"] = "pw", ["ZTDR_REPOSITORY"] = _directory.Combine("repo") });
}
