using Ztdr.Cli.Commands;
using Ztdr.Cli.Progress;

namespace Ztdr.Cli.Tests.Commands;

/// <summary>
/// What long commands print about their progress: percent, rate and ETA from a clock the test moves, and the closing
/// <c>progress: done in</c> line after the summary. No timing: every number follows from the fake clock.
/// </summary>
public sealed class ProgressOutputTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ClockedFolderRepository _repo = new("cli-progress");

    public void Dispose() => _repo.Dispose();

    [Fact]
    public void Percent_RoundsDown_NoTotalIsDash()
    {
        Assert.Equal("0%", ProgressText.Percent(0, 3));
        Assert.Equal("66%", ProgressText.Percent(2, 3));
        Assert.Equal("99%", ProgressText.Percent(999, 1000));
        Assert.Equal("100%", ProgressText.Percent(3, 3));
        Assert.Equal("100%", ProgressText.Percent(4, 3));
        Assert.Equal("-", ProgressText.Percent(0, 0));
    }

    [Fact]
    public void Eta_AverageRateSoFar_NullBeforeAnythingIsDone()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), ProgressText.Eta(25, 100, TimeSpan.FromSeconds(10)));
        Assert.Equal(TimeSpan.Zero, ProgressText.Eta(100, 100, TimeSpan.FromSeconds(10)));
        Assert.Null(ProgressText.Eta(0, 100, TimeSpan.FromSeconds(10)));
        Assert.Null(ProgressText.Eta(25, 100, TimeSpan.Zero));
        Assert.Null(ProgressText.Eta(25, 0, TimeSpan.FromSeconds(10)));
        Assert.Equal("", ProgressText.EtaSuffix(null));
        Assert.Equal(", ETA 1:01:01", ProgressText.EtaSuffix(TimeSpan.FromSeconds(3661)));
    }

    [Fact]
    public void Rate_BytesPerSecond_DashBeforeAnyTime()
    {
        Assert.Equal("1.5 MiB/s", ProgressText.Rate(15 * 1024 * 1024, TimeSpan.FromSeconds(10)));
        Assert.Equal("-", ProgressText.Rate(1024, TimeSpan.Zero));
    }

    [Fact]
    public void VerifyText_PhaseWithTotal_PercentRateAndEta_WithoutTotal_CountOnly()
    {
        var reading = VerifyCommand.ProgressLines.Text("read-data", 5, 20, 10 * 1024 * 1024, TimeSpan.FromSeconds(10), 10 * 1024 * 1024);
        var trees = VerifyCommand.ProgressLines.Text("trees", 7, 0, 0, TimeSpan.FromSeconds(10), 0);

        Assert.Equal("read-data: 5 of 20 (25%), 10.0 MiB read, 1.0 MiB/s, ETA 00:30", reading);
        Assert.Equal("trees: 7, 0 B read", trees);
    }

    [Fact]
    public void VerifyProgressLines_NewPhase_RateAndEtaMeasuredFromItsStart()
    {
        var clock = new ManualClock(Start);
        var error = new StringWriter();
        var progress = new VerifyCommand.ProgressLines(new CliContext(_ => null, new StringWriter(), error, null, clock));

        clock.Advance(TimeSpan.FromSeconds(50));
        progress.Show("locks", 10, 10, 0);
        clock.Advance(TimeSpan.FromSeconds(2));
        progress.Show("read-data", 1, 4, 1024 * 1024);
        progress.Finish();

        // read-data began with the last locks report: 1 MiB in 2 s, and 3 packs left at 2 s each.
        Assert.Equal(
            ["progress: locks: 10 of 10 (100%), 0 B read, ETA 00:00", "progress: read-data: 1 of 4 (25%), 1.0 MiB read, 512.0 KiB/s, ETA 00:06"],
            error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void ElapsedLineText_HoursMinutesSeconds()
    {
        Assert.Equal("progress: done in 00:42", ElapsedLine.Text(TimeSpan.FromSeconds(42)));
        Assert.Equal("progress: done in 1:02:05", ElapsedLine.Text(TimeSpan.FromSeconds(3725)));
    }

    [Fact]
    public async Task LongCommands_Text_EndWithDoneLine_Json_DoNot()
    {
        await _repo.InitAsync();
        await _repo.BackupAsync("one");

        var backup = await _repo.RunAsync("backup", _repo.Combine("two"));
        var restore = await _repo.RunAsync("restore", "latest", "--target", _repo.Combine("out"));
        var verify = await _repo.RunAsync("verify");
        var forget = await _repo.RunAsync("forget", "--keep-last", "1", "--group-by", "host");
        var prune = await _repo.RunAsync("prune");
        var json = await _repo.RunAsync("verify", "--json");

        // The clock stands still during each run, so each took no time at all.
        foreach (var (exit, _, errors) in new[] { backup, restore, verify, forget, prune })
        {
            Assert.True(exit == 0, string.Join("\n", errors));
            Assert.Equal("progress: done in 00:00", errors[^1]);
        }

        Assert.Equal(0, json.Exit);
        Assert.DoesNotContain(json.Errors, l => l.StartsWith("progress: ", StringComparison.Ordinal));
    }

    [Fact]
    public void DurationSeconds_TimeSinceTheContextBegan_ToTheMillisecond()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var context = new CliContext(_ => null, new StringWriter(), new StringWriter(), null, clock);

        clock.Advance(TimeSpan.FromMilliseconds(2500.4));

        Assert.Equal(2.5, context.DurationSeconds);
        Assert.Equal("progress: done in 00:02", ElapsedLine.Text(clock.GetElapsedTime(context.Started)));
    }

    [Fact]
    public async Task LongCommands_Json_SummaryCarriesDurationSeconds()
    {
        await _repo.InitAsync();
        await _repo.BackupAsync("one");

        var runs = new[]
        {
            await _repo.RunAsync("restore", "latest", "--target", _repo.Combine("out"), "--json"),
            await _repo.RunAsync("verify", "--json"),
            await _repo.RunAsync("forget", "--keep-last", "1", "--json"),
            await _repo.RunAsync("prune", "--json"),
        };

        // The clock stands still during each run: the field is there, and it is the time the clock saw pass.
        foreach (var (exit, output, errors) in runs)
        {
            Assert.True(exit == 0, string.Join("\n", errors) + output);
            using var summary = System.Text.Json.JsonDocument.Parse(output);
            Assert.Equal(0.0, summary.RootElement.GetProperty("durationSeconds").GetDouble());
        }
    }
}
