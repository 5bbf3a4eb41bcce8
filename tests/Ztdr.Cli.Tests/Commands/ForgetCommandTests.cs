using System.Text.Json;
using Ztdr.Cli.Commands;

namespace Ztdr.Cli.Tests.Commands;

/// <summary>forget in process against a folder repository: keep rules, ids, dry run and bad input.</summary>
public sealed class ForgetCommandTests : IDisposable
{
    private readonly ClockedFolderRepository _repo = new("cli-forget");

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task Forget_KeepLast_TableWithReasons_OneMarker_SnapshotHiddenButNotDeleted()
    {
        await _repo.InitAsync();
        var first = await _repo.BackupAsync("one");
        _repo.Clock.Advance(TimeSpan.FromHours(1));
        var second = await _repo.BackupAsync("one");
        var before = _repo.ObjectFiles();

        var (exit, output, _) = await _repo.RunAsync("forget", "--keep-last", "1", "--group-by", "");

        Assert.Equal(0, exit);
        var lines = output.Split('\n');
        Assert.Contains("keep 1 snapshot:", lines);
        Assert.Contains("forget 1 snapshot:", lines);
        Assert.Contains(lines, l => l.StartsWith(second[..8], StringComparison.Ordinal) && l.Contains("last snapshot", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith(first[..8], StringComparison.Ordinal));
        Assert.Contains("forgot 1 snapshot", output, StringComparison.Ordinal);

        var after = _repo.ObjectFiles();
        Assert.Equal(["forgotten/"], after.Except(before).Select(f => f[..10]));
        Assert.Empty(before.Except(after));
        Assert.Equal([second], await SnapshotIdsAsync());
        Assert.Equal([first, second], await SnapshotIdsAsync("--forgotten"));
    }

    [Fact]
    public async Task Forget_DryRun_WritesNothing()
    {
        await _repo.InitAsync();
        await _repo.BackupAsync("one");
        _repo.Clock.Advance(TimeSpan.FromDays(2));
        await _repo.BackupAsync("one");
        var before = _repo.ObjectFiles();

        var (exit, output, _) = await _repo.RunAsync("forget", "--keep-daily", "1", "--dry-run");

        Assert.Equal(0, exit);
        Assert.Contains("dry run: would forget 1 snapshot; nothing was written", output, StringComparison.Ordinal);
        Assert.Equal(before, _repo.ObjectFiles());
        Assert.Equal(2, (await SnapshotIdsAsync()).Count);
    }

    [Fact]
    public async Task Forget_ById_ForgetsExactlyThatSnapshot_RestoreOfItThenFails()
    {
        await _repo.InitAsync();
        var first = await _repo.BackupAsync("one");
        _repo.Clock.Advance(TimeSpan.FromHours(1));
        var second = await _repo.BackupAsync("two");

        var (exit, _, _) = await _repo.RunAsync("forget", second[..10]);

        Assert.Equal(0, exit);
        Assert.Equal([first], await SnapshotIdsAsync());
        var restore = await _repo.RunAsync("restore", second[..10], "--target", _repo.Combine("out"));
        Assert.Equal(CommandErrors.Failed, restore.Exit);
        Assert.Contains("forgotten", restore.Errors.Last(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("forget")]
    [InlineData("forget", "--keep-last", "1", "0123456789")]
    [InlineData("forget", "--keep-daily", "seven")]
    [InlineData("forget", "--keep-within", "2x")]
    [InlineData("forget", "--keep-last", "1", "--group-by", "color")]
    public async Task Forget_BadInput_UsageErrorInOneLine_NothingWritten(params string[] args)
    {
        await _repo.InitAsync();
        var before = _repo.ObjectFiles();

        var (exit, output, errors) = await _repo.RunAsync(args);

        Assert.Equal(CommandErrors.Usage, exit);
        Assert.StartsWith("ztdr: ", errors.Last(), StringComparison.Ordinal);
        Assert.Empty(output);
        Assert.Equal(before, _repo.ObjectFiles());
    }

    private async Task<List<string>> SnapshotIdsAsync(params string[] extra)
    {
        var (exit, output, _) = await _repo.RunAsync(["snapshots", "--json", .. extra]);
        Assert.Equal(0, exit);
        using var document = JsonDocument.Parse(output);
        return [.. document.RootElement.EnumerateArray().Select(s => s.GetProperty("id").GetString()!)];
    }
}
