using System.CommandLine;
using System.Text.Json;
using Ztdr.Backup.Archiving;

namespace Ztdr.Cli.Commands;

/// <summary><c>ztdr backup PATH...</c>: one new snapshot of the given files and folders.</summary>
internal static class BackupCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var paths = new Argument<string[]>("PATH")
        {
            Description = "Files and folders to back up",
            Arity = ArgumentArity.OneOrMore,
        };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON" };
        var command = new Command("backup", "Back up files and folders into a new snapshot") { paths, json };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, async () =>
        {
            var fullPaths = parse.GetValue(paths)!.Select(Path.GetFullPath).ToArray();
            using var open = await OpenRepository.OpenForBackupAsync(global, parse, context, cancellationToken);
            var progress = new ProgressLines(context);
            var archiver = new Archiver(open.Repository, open.Catalog, context.Time);
            var summary = await archiver.BackupAsync(new BackupRequest(fullPaths) { Progress = progress }, cancellationToken);
            progress.Finish();
            return await ReportAsync(context, BackupOutcome.From(summary), parse.GetValue(json));
        }));
        return command;
    }

    /// <summary>
    /// One line per entry that could not be read (the snapshot is saved without them), then the summary; exit
    /// <see cref="CommandErrors.Failed"/> when any entry is missing, so scripts notice.
    /// </summary>
    internal static async Task<int> ReportAsync(CliContext context, BackupOutcome summary, bool json)
    {
        foreach (var error in summary.Errors)
        {
            await context.Error.WriteLineAsync($"ztdr: error: {error}");
        }

        await context.Out.WriteLineAsync(json ? ToJson(summary) : ToLine(summary));
        return summary.Errors.Count == 0 ? 0 : CommandErrors.Failed;
    }

    internal static string ToLine(BackupOutcome summary) =>
        $"snapshot {summary.SnapshotId[..8]} saved: {summary.Files} files, {summary.Dirs} dirs, "
        + $"{ByteSize.Format(summary.BytesRead)} read, {ByteSize.Format(summary.AddedBytes)} added";

    internal static string ToJson(BackupOutcome summary)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("snapshot", summary.SnapshotId);
            writer.WriteString("tree", summary.Tree);
            writer.WriteNumber("files", summary.Files);
            writer.WriteNumber("dirs", summary.Dirs);
            writer.WriteNumber("bytesRead", summary.BytesRead);
            writer.WriteNumber("newBlobs", summary.NewBlobs);
            writer.WriteNumber("addedBytes", summary.AddedBytes);
            WriteStrings(writer, "skipped", summary.Skipped);
            WriteStrings(writer, "errors", summary.Errors);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// Progress on stderr, at most once a second: one rewritten line on a terminal, plain lines otherwise (logs, pipes).
    /// Called synchronously on the backup's flow, so it only formats and writes.
    /// </summary>
    private sealed class ProgressLines(CliContext context) : IProgress<BackupProgress>
    {
        private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
        private DateTimeOffset _next = context.Time.GetUtcNow() + Interval;
        private bool _rewriting;

        public void Report(BackupProgress value)
        {
            var now = context.Time.GetUtcNow();
            if (now < _next)
            {
                return;
            }

            _next = now + Interval;
            var line = $"{value.Files} files, {value.Dirs} dirs, {ByteSize.Format(value.BytesRead)} read, {ByteSize.Format(value.AddedBytes)} added";
            if (context.ErrorIsTerminal)
            {
                context.Error.Write($"\r\u001b[K{line}");
                _rewriting = true;
            }
            else
            {
                context.Error.WriteLine($"progress: {line}");
            }
        }

        public void Finish()
        {
            if (_rewriting)
            {
                context.Error.Write("\r\u001b[K");
            }
        }
    }
}

/// <summary>What the CLI reports of a <see cref="BackupSummary"/>, with the ids as hex text.</summary>
internal sealed record BackupOutcome(
    string SnapshotId,
    string Tree,
    long Files,
    long Dirs,
    long BytesRead,
    long NewBlobs,
    long AddedBytes,
    IReadOnlyList<string> Skipped,
    IReadOnlyList<string> Errors)
{
    public static BackupOutcome From(BackupSummary summary) => new(
        summary.SnapshotId.ToString(),
        summary.Tree.ToString(),
        summary.Files,
        summary.Dirs,
        summary.BytesRead,
        summary.NewBlobs,
        summary.AddedBytes,
        summary.Skipped,
        summary.Errors);
}
