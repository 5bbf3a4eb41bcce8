using Ztdr.Cli.Commands;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Commands;

public sealed class InitCommandTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new("cli-init");

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("36h", 36)]
    [InlineData("30d", 30 * 24)]
    [InlineData("2w", 14 * 24)]
    [InlineData("1y", 365 * 24)]
    [InlineData("7D", 7 * 24)]
    public void ParseRetention_Valid_GivesHours(string text, int hours)
    {
        Assert.Equal(TimeSpan.FromHours(hours), InitCommand.ParseRetention(text));
    }

    [Theory]
    [InlineData("30")]
    [InlineData("d")]
    [InlineData("0d")]
    [InlineData("-1d")]
    [InlineData("+1d")]
    [InlineData("1.5d")]
    [InlineData("30m")]
    [InlineData("101y")]
    public void ParseRetention_Invalid_Fails(string text)
    {
        Assert.Throws<CliException>(() => InitCommand.ParseRetention(text));
    }

    [Fact]
    public async Task Init_NewFolder_PrintsIdAndWarns()
    {
        var test = new TestContext(new Dictionary<string, string> { ["ZTDR_PASSWORD"] = "pw" });

        var exit = await test.RunAsync("init", "--retention", "1d", "--repo", _directory.Combine("repo"));

        Assert.Equal(0, exit);
        Assert.Matches("^created repository [0-9a-f]{64}\n", test.Out.ToString());
        Assert.StartsWith("ztdr: warning: ", test.Error.ToString(), StringComparison.Ordinal);
        Assert.True(File.Exists(_directory.Combine("repo", "objects", "config")));
    }

    [Theory]
    [InlineData("1h")]
    [InlineData("30d")]
    public async Task InitAndBackup_RetentionRoundedToAGeneration_ShowTheRealLockEndAndWhy(string retention)
    {
        var repository = _directory.Combine("repo-" + retention);
        var environment = new Dictionary<string, string> { ["ZTDR_PASSWORD"] = "pw", ["ZTDR_REPOSITORY"] = repository };
        var init = new TestContext(environment);
        var before = DateTimeOffset.UtcNow;

        Assert.Equal(0, await init.RunAsync("init", "--retention", retention));

        // The lock ends on a 7-day Unix-time boundary at or after now + retention, and init says so in numbers.
        var lines = init.Out.ToString().Split('\n');
        var until = DateTimeOffset.ParseExact(System.Text.RegularExpressions.Regex.Match(lines[2], "until (.*Z)$").Groups[1].Value, "yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
        Assert.Equal(0, until.ToUnixTimeSeconds() % (7 * 24 * 3600));
        Assert.InRange(until, before + InitCommand.ParseRetention(retention), DateTimeOffset.UtcNow + InitCommand.ParseRetention(retention) + TimeSpan.FromDays(7));
        Assert.StartsWith("  that is ", lines[3], StringComparison.Ordinal);
        Assert.Contains($"longer than {retention}: locks end on weekly generation boundaries", lines[3], StringComparison.Ordinal);

        var source = Directory.CreateDirectory(_directory.Combine("source-" + retention)).FullName;
        await File.WriteAllTextAsync(Path.Combine(source, "f"), "x");
        var backup = new TestContext(environment);
        Assert.Equal(0, await backup.RunAsync("backup", source));
        Assert.EndsWith($", locked until {until:yyyy-MM-dd HH:mm:ss}Z\n", backup.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_ThenOpenWithSamePassword_Opens()
    {
        var repo = _directory.Combine("repo");
        var test = new TestContext(new Dictionary<string, string> { ["ZTDR_PASSWORD"] = "pw", ["ZTDR_REPOSITORY"] = repo });
        Assert.Equal(0, await test.RunAsync("init", "--retention", "30d"));

        using var opened = await Backup.Repository.Repository.OpenAsync(new Backup.Stores.LocalFolderStore(repo, TimeProvider.System), "pw");

        Assert.Equal(TimeSpan.FromDays(30), opened.Config.Lock.Retention);
        Assert.Contains(opened.Id.ToString(), test.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_Twice_SecondFailsWithOneLine()
    {
        var test = new TestContext(new Dictionary<string, string> { ["ZTDR_PASSWORD"] = "pw", ["ZTDR_REPOSITORY"] = _directory.Combine("repo") });
        Assert.Equal(0, await test.RunAsync("init", "--retention", "1d"));
        var second = new TestContext(new Dictionary<string, string> { ["ZTDR_PASSWORD"] = "pw", ["ZTDR_REPOSITORY"] = _directory.Combine("repo") });

        var exit = await second.RunAsync("init", "--retention", "1d");

        Assert.Equal(CommandErrors.Failed, exit);
        var lines = ErrorLines(second);
        Assert.Equal(2, lines.Length); // the folder warning, then the failure
        Assert.StartsWith("ztdr: already exists: ", lines[1], StringComparison.Ordinal);
        Assert.Empty(second.Out.ToString());
    }

    [Theory]
    [InlineData(new[] { "init", "--retention", "1d" }, "no repository given")]
    [InlineData(new[] { "init", "--retention", "soon", "--repo", "/tmp/x" }, "--retention 'soon'")]
    [InlineData(new[] { "init", "--repo", "/tmp/x" }, "--retention")]
    [InlineData(new[] { "init", "--retention", "1d", "--frobnicate" }, "--frobnicate")]
    [InlineData(new[] { "frobnicate" }, "frobnicate")]
    [InlineData(new string[0], "command")]
    public async Task Run_UsageError_OneLineAndExit2(string[] args, string mentioned)
    {
        var test = new TestContext(new Dictionary<string, string> { ["ZTDR_PASSWORD"] = "pw" });

        var exit = await test.RunAsync(args);

        Assert.Equal(CommandErrors.Usage, exit);
        var line = Assert.Single(ErrorLines(test));
        Assert.StartsWith("ztdr: ", line, StringComparison.Ordinal);
        Assert.Contains(mentioned, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_NoPasswordSourceAndNoTerminal_FailsBeforeTouchingStorage()
    {
        var test = new TestContext();

        var exit = await test.RunAsync("init", "--retention", "1d", "--repo", _directory.Combine("repo"));

        Assert.Equal(CommandErrors.Usage, exit);
        Assert.Contains("no repository password", Assert.Single(ErrorLines(test)), StringComparison.Ordinal);
        Assert.False(Directory.Exists(_directory.Combine("repo")));
    }

    [Fact]
    public async Task Init_PasswordOnTerminal_AsksTwice()
    {
        var test = new TestContext(null, "typed", "typed");

        var exit = await test.RunAsync("init", "--retention", "1d", "--repo", _directory.Combine("repo"));

        Assert.Equal(0, exit);
        Assert.Equal(2, test.Prompt!.Asked);
    }

    private static string[] ErrorLines(TestContext test) => test.Error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
