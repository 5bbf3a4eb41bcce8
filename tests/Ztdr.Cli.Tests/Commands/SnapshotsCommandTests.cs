using System.Text.Json;
using Ztdr.Cli.Commands;

namespace Ztdr.Cli.Tests.Commands;

/// <summary>snapshots in process: plain text stays script-compatible, --forgotten, and the terminal table.</summary>
public sealed class SnapshotsCommandTests : IDisposable
{
    private readonly ClockedFolderRepository _repo = new("cli-snapshots");

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task Snapshots_Plain_IdFirstPathsLast()
    {
        await _repo.InitAsync();
        var id = await _repo.BackupAsync("one");

        var (exit, output, _) = await _repo.RunAsync("snapshots");

        Assert.Equal(0, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches("^ID +Time +Host +Paths$", lines[0]);
        Assert.StartsWith(id[..8] + "  2026-01-01 12:00:00Z  ", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(_repo.Combine("one"), lines[1], StringComparison.Ordinal);
        Assert.Equal("1 snapshot", lines[2]);
    }

    [Fact]
    public async Task Snapshots_HostZoneAheadOfUtc_TimesInUtcWithZ()
    {
        await _repo.InitAsync();
        await _repo.BackupAsync("one");
        _repo.Clock.Zone = TimeZoneInfo.CreateCustomTimeZone("UTC+5", TimeSpan.FromHours(5), "UTC+5", "UTC+5");

        var (exit, output, _) = await _repo.RunAsync("snapshots");

        // Lock ends are UTC (storage's clock), so snapshot times are too: never a bare local time beside a UTC one.
        Assert.Equal(0, exit);
        var row = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1];
        Assert.Contains("  2026-01-01 12:00:00Z  ", row, StringComparison.Ordinal);
        Assert.DoesNotContain("17:00:00", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Snapshots_Forgotten_ListsThemMarked_InTextAndJson()
    {
        var (first, second) = await _repo.TwoBackupsForgetFirstAsync();

        var plain = await _repo.RunAsync("snapshots", "--forgotten");
        var json = await _repo.RunAsync("snapshots", "--forgotten", "--json");

        var lines = plain.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches("^ID +Time +Host +Forgotten +Paths$", lines[0]);
        Assert.Matches($"^{first[..8]} .* yes +/", lines[1]);
        Assert.Matches($"^{second[..8]} .* no +/", lines[2]);
        using var document = JsonDocument.Parse(json.Output);
        Assert.Equal(
            [(first, true), (second, false)],
            document.RootElement.EnumerateArray().Select(s => (s.GetProperty("id").GetString()!, s.GetProperty("forgotten").GetBoolean())));
    }

    [Fact]
    public async Task Snapshots_JsonWithoutForgotten_HasNoForgottenField()
    {
        await _repo.TwoBackupsForgetFirstAsync();

        var (_, output, _) = await _repo.RunAsync("snapshots", "--json");

        using var document = JsonDocument.Parse(output);
        var only = Assert.Single(document.RootElement.EnumerateArray());
        Assert.False(only.TryGetProperty("forgotten", out _));
    }

    [Fact]
    public void WriteTerminalTable_DrawsEveryCellVerbatim()
    {
        using var output = new StringWriter();
        var context = new CliContext(_ => null, output, new StringWriter(), null, TimeProvider.System);

        SnapshotsCommand.WriteTerminalTable(context, ["ID", "Paths", "Retain until"], [["0123abcd", "/srv/[data]", "2026-02-01 00:00:00Z"]]);

        var text = output.ToString();
        Assert.Contains("Retain until", text, StringComparison.Ordinal);
        Assert.Contains("/srv/[data]", text, StringComparison.Ordinal);
        Assert.Contains("0123abcd", text, StringComparison.Ordinal);
    }
}
