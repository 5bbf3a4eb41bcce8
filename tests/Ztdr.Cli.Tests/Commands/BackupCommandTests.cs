using System.Text.Json;
using Ztdr.Cli.Commands;
using Ztdr.Cli.Progress;
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

    [Fact]
    public async Task Backup_SecondRunOfSameFolder_JsonShowsParentAndUnchangedFilesAndNoPacks()
    {
        await InitAsync();
        var source = _directory.Combine("data");
        Directory.CreateDirectory(Path.Combine(source, "sub"));
        await File.WriteAllTextAsync(Path.Combine(source, "a.txt"), "alpha");
        await File.WriteAllTextAsync(Path.Combine(source, "sub", "b.txt"), "beta");

        var first = Context();
        Assert.Equal(0, await first.RunAsync("backup", "--json", source));
        using var firstJson = JsonDocument.Parse(first.Out.ToString());
        var second = Context();
        Assert.Equal(0, await second.RunAsync("backup", "--json", source));
        using var secondJson = JsonDocument.Parse(second.Out.ToString());

        Assert.Equal(JsonValueKind.Null, firstJson.RootElement.GetProperty("parent").ValueKind);
        Assert.True(firstJson.RootElement.GetProperty("packsUploaded").GetInt64() >= 2, "a data pack and a tree pack");
        Assert.Equal(0, firstJson.RootElement.GetProperty("filesUnchanged").GetInt64());
        var root = secondJson.RootElement;
        Assert.Equal(firstJson.RootElement.GetProperty("snapshot").GetString(), root.GetProperty("parent").GetString());
        Assert.Equal(2, root.GetProperty("filesUnchanged").GetInt64());
        Assert.Equal(0, root.GetProperty("bytesRead").GetInt64());

        // Nothing new but, at most, the trees of the folders above the source (their metadata is stored and other
        // tests change /tmp's), in one tree pack.
        var newBlobs = root.GetProperty("newBlobs").GetInt64();
        Assert.InRange(newBlobs, 0, BackedUpPath.FoldersAbove(source) + 1);
        Assert.Equal(newBlobs == 0 ? 0 : 1, root.GetProperty("packsUploaded").GetInt64());
        Assert.True(root.GetProperty("durationSeconds").GetDouble() >= 0);

        var forced = Context();
        Assert.Equal(0, await forced.RunAsync("backup", "--json", "--force", source));
        using var forcedJson = JsonDocument.Parse(forced.Out.ToString());
        Assert.Equal(JsonValueKind.Null, forcedJson.RootElement.GetProperty("parent").ValueKind);
        Assert.Equal(9, forcedJson.RootElement.GetProperty("bytesRead").GetInt64());
    }

    [Fact]
    public async Task Backup_ForceWithParent_IsUsageErrorInOneLine()
    {
        await InitAsync();
        var test = Context();

        Assert.Equal(CommandErrors.Usage, await test.RunAsync("backup", "--force", "--parent", "latest", _directory.Path));

        var line = Assert.Single(ErrorLines(test));
        Assert.StartsWith("ztdr: --force", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backup_UnknownParent_FailsInOneLineWithoutSnapshot()
    {
        await InitAsync();
        var test = Context();

        Assert.Equal(CommandErrors.Failed, await test.RunAsync("backup", "--parent", "deadbeefdeadbeef", _directory.Combine("repo")));

        Assert.StartsWith("ztdr: No snapshot id starts with", Assert.Single(ErrorLines(test), l => !l.StartsWith("ztdr: warning:", StringComparison.Ordinal)), StringComparison.Ordinal);
        var list = Context();
        Assert.Equal(0, await list.RunAsync("snapshots", "--json"));
        Assert.Equal("[]", list.Out.ToString().Trim());
    }

    [Fact]
    public void ProgressText_EtaOnlyOnceTheScanKnowsTheTotal()
    {
        var before = new BackupStatus(3, 1, 0, 25, 25, 10, null, null, "/x");
        var after = before with { TotalFiles = 12, TotalBytes = 100 };

        Assert.Null(ProgressText.Eta(before, TimeSpan.FromSeconds(10)));
        Assert.Equal(TimeSpan.FromSeconds(30), ProgressText.Eta(after, TimeSpan.FromSeconds(10)));
        Assert.DoesNotContain("ETA", ProgressText.Line(before, TimeSpan.FromSeconds(10)), StringComparison.Ordinal);
        Assert.Equal("3 of 12 files (0 unchanged), 1 dirs, 25 B of 100 B (25%) done, 25 B read, 10 B added, 2 B/s, ETA 00:30", ProgressText.Line(after, TimeSpan.FromSeconds(10)));
        Assert.Equal("1:01:01", ProgressText.Duration(TimeSpan.FromSeconds(3661)));
    }

    [Fact]
    public async Task Backup_OnTerminal_LiveDisplayOnStderr_SummaryAloneOnStdout()
    {
        await InitAsync();
        var source = _directory.Combine("data");
        Directory.CreateDirectory(source);
        await File.WriteAllBytesAsync(Path.Combine(source, "a.bin"), new byte[300_000]);
        var test = Context();

        var exit = await CliApplication.RunAsync(["backup", "--json", source], test.Context with { ErrorIsTerminal = true });

        Assert.Equal(0, exit);
        using var summary = JsonDocument.Parse(test.Out.ToString());
        Assert.Equal(1, summary.RootElement.GetProperty("files").GetInt64());
        Assert.DoesNotContain(ErrorLines(test), l => l.Contains("ztdr: error", StringComparison.Ordinal) || l.StartsWith("progress:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Report_Json_HasPipelineFields()
    {
        var test = Context();
        var summary = new BackupOutcome(SnapshotId, new string('0', 64), 3, 2, 10, 1, 10, [], [])
        {
            FilesUnchanged = 2,
            PacksUploaded = 1,
            DurationSeconds = 1.23456,
            Parent = new string('a', 64),
        };

        await BackupCommand.ReportAsync(test.Context, summary, json: true);

        using var document = JsonDocument.Parse(test.Out.ToString());
        Assert.Equal(2, document.RootElement.GetProperty("filesUnchanged").GetInt64());
        Assert.Equal(1, document.RootElement.GetProperty("packsUploaded").GetInt64());
        Assert.Equal(1.235, document.RootElement.GetProperty("durationSeconds").GetDouble());
        Assert.Equal(summary.Parent, document.RootElement.GetProperty("parent").GetString());
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
