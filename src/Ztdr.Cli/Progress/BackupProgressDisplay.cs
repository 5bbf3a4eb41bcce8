using Spectre.Console;
using Spectre.Console.Rendering;
using Ztdr.Backup.Archiving;

namespace Ztdr.Cli.Progress;

/// <summary>
/// Shows a backup's progress on stderr while it runs: a Spectre.Console live panel on a terminal (files, bytes, rate,
/// ETA once the pre-scan has counted the total, the entry just done), plain lines every <see cref="LineInterval"/>
/// otherwise (logs, pipes). The engine's workers only store the latest report; the display samples it on its own
/// schedule, so a slow terminal never slows the backup.
/// </summary>
internal static class BackupProgressDisplay
{
    public static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan LiveInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Runs <paramref name="backup"/> with a progress sink and shows what it reports until it completes.</summary>
    public static async Task<T> RunAsync<T>(CliContext context, Func<IProgress<BackupProgress>, Task<T>> backup)
    {
        var latest = new LatestProgress();
        var started = context.Time.GetTimestamp();
        var task = backup(latest);
        if (context.ErrorIsTerminal)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Error) });
            await console.Live(new Text("scanning…")).AutoClear(true).StartAsync(async live =>
            {
                while (!task.IsCompleted)
                {
                    await Task.WhenAny(task, Task.Delay(LiveInterval, context.Time));
                    if (latest.Value is { } value)
                    {
                        live.UpdateTarget(Panel(value, context.Time.GetElapsedTime(started)));
                    }
                }
            });
        }
        else
        {
            while (!task.IsCompleted)
            {
                await Task.WhenAny(task, Task.Delay(LineInterval, context.Time));
                if (!task.IsCompleted && latest.Value is { } value)
                {
                    await context.Error.WriteLineAsync("progress: " + ProgressText.Line(value, context.Time.GetElapsedTime(started)));
                }
            }
        }

        return await task;
    }

    private static Table Panel(BackupStatus value, TimeSpan elapsed)
    {
        var table = new Table().Border(TableBorder.Rounded).HideHeaders().AddColumn("what").AddColumn("value");
        table.AddRow(Cell("Files"), Cell(ProgressText.Files(value)));
        table.AddRow(Cell("Bytes"), Cell(ProgressText.Bytes(value)));
        table.AddRow(Cell("Rate"), Cell(ProgressText.Rate(value, elapsed)));
        table.AddRow(Cell("ETA"), Cell(ProgressText.Eta(value, elapsed) is { } eta ? ProgressText.Duration(eta) : "after the scan"));
        table.AddRow(Cell("Done"), Cell(value.CurrentPath));
        return table;
    }

    private static IRenderable Cell(string text) => new Text(text);

    // Written by the engine's workers (one at a time), read by the display: a reference swap is all it needs.
    private sealed class LatestProgress : IProgress<BackupProgress>
    {
        private BackupStatus? _value;

        public BackupStatus? Value => Volatile.Read(ref _value);

        public void Report(BackupProgress value) => Volatile.Write(ref _value, BackupStatus.From(value));
    }
}

/// <summary>What the CLI shows of a <see cref="BackupProgress"/> (null totals: the pre-scan is still counting).</summary>
internal sealed record BackupStatus(
    long Files, long Dirs, long FilesUnchanged, long BytesRead, long BytesDone, long AddedBytes, long? TotalFiles, long? TotalBytes, string CurrentPath)
{
    public static BackupStatus From(BackupProgress progress) => new(
        progress.Files,
        progress.Dirs,
        progress.FilesUnchanged,
        progress.BytesRead,
        progress.BytesDone,
        progress.AddedBytes,
        progress.TotalFiles,
        progress.TotalBytes,
        progress.CurrentPath);
}
