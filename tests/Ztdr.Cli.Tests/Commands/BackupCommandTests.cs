using System.Text.Json;
using Ztdr.Cli.Commands;
using Ztdr.Testing;

namespace Ztdr.Cli.Tests.Commands;

/// <summary>backup, snapshots and restore in process, against a folder repository.</summary>
public sealed class BackupCommandTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new("cli-backup");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Backup_NonexistentPath_FailsInOneLineWithoutSnapshot()
    {
        await InitAsync();
        var missing = _directory.Combine("missing");
        var test = Context();

        var exit = await test.RunAsync("backup", missing);

        Assert.Equal(CommandErrors.Failed, exit);
        var line = ErrorLines(test).Last();
        Assert.StartsWith("ztdr: ", line, StringComparison.Ordinal);
        Assert.Contains(missing, line, StringComparison.Ordinal);
        Assert.Empty(test.Out.ToString());
        var list = Context();
        Assert.Equal(0, await list.RunAsync("snapshots", "--json"));
        Assert.Equal("[]", list.Out.ToString().Trim());
    }

    [Fact]
    public async Task Report_EntriesWithErrors_OneLineEachAndExitFailed_SummaryStillPrinted()
    {
        var test = Context();
        var summary = new BackupOutcome(SnapshotId, new string('0', 64), 2, 1, 2048, 1, 1024, [], ["/a: denied", "/b: gone"]);

        var exit = await BackupCommand.ReportAsync(test.Context, summary, json: true);

        Assert.Equal(CommandErrors.Failed, exit);
        Assert.Equal(["ztdr: error: /a: denied", "ztdr: error: /b: gone"], ErrorLines(test));
        using var document = JsonDocument.Parse(test.Out.ToString());
        Assert.Equal(2, document.RootElement.GetProperty("errors").GetArrayLength());
        Assert.Equal(summary.SnapshotId, document.RootElement.GetProperty("snapshot").GetString());
    }

    [Fact]
    public async Task Report_NoErrors_ExitZeroAndOneLine()
    {
        var test = Context();
        var summary = new BackupOutcome(SnapshotId, new string('0', 64), 3, 2, 5 * 1024 * 1024, 4, 1536, [], []);

        Assert.Equal(0, await BackupCommand.ReportAsync(test.Context, summary, json: false));

        Assert.Equal($"snapshot {summary.SnapshotId[..8]} saved: 3 files, 2 dirs, 5.0 MiB read, 1.5 KiB added\n", test.Out.ToString());
        Assert.Empty(test.Error.ToString());
    }

    [Fact]
    public async Task Snapshots_Empty_TableWithHeaderOnly_AndJsonEmptyArray()
    {
        await InitAsync();
        var table = Context();
        Assert.Equal(0, await table.RunAsync("snapshots"));
        Assert.Equal(["ID  Time  Host  Paths", "0 snapshots"], table.Out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var json = Context();
        Assert.Equal(0, await json.RunAsync("snapshots", "--json"));
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(json.Out.ToString()).RootElement.ValueKind);
        Assert.Equal(0, JsonDocument.Parse(json.Out.ToString()).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task Restore_AmbiguousOrShortPrefix_FailsWithOneLine()
    {
        await InitAsync();
        var test = Context();

        var exit = await test.RunAsync("restore", "abc", "--target", _directory.Combine("out"));

        Assert.Equal(CommandErrors.Failed, exit);
        var line = ErrorLines(test).Last();
        Assert.StartsWith("ztdr: ", line, StringComparison.Ordinal);
        Assert.Contains("too short", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_WithoutTarget_IsUsageError()
    {
        var test = Context();

        Assert.Equal(CommandErrors.Usage, await test.RunAsync("restore", "latest"));
        Assert.Contains("--target", Assert.Single(ErrorLines(test)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backup_WrongPassword_OneLine()
    {
        await InitAsync();
        var test = new TestContext(new Dictionary<string, string> { ["ZTDR_PASSWORD"] = "wrong", ["ZTDR_REPOSITORY"] = _directory.Combine("repo") });

        var exit = await test.RunAsync("backup", _directory.Path);

        Assert.Equal(CommandErrors.Failed, exit);
        Assert.StartsWith("ztdr: wrong password", ErrorLines(test).Last(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1024, "1.0 KiB")]
    [InlineData(3 * 1024 * 1024 + 110 * 1024, "3.1 MiB")]
    public void ByteSize_Format(long bytes, string expected) => Assert.Equal(expected, ByteSize.Format(bytes));

    private static string SnapshotId => "0123456789abcdef" + new string('e', 48);

    private async Task InitAsync() => Assert.Equal(0, await Context().RunAsync("init", "--retention", "1d"));

    private TestContext Context() =>
        new(new Dictionary<string, string> { ["ZTDR_PASSWORD"] = "pw", ["ZTDR_REPOSITORY"] = _directory.Combine("repo") });

    private static string[] ErrorLines(TestContext test) => test.Error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
