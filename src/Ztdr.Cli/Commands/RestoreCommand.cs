using System.CommandLine;
using System.Text.Json;
using Ztdr.Backup.Restoring;
using Ztdr.Backup.Snapshots;
using Ztdr.Cli.Output;
using Ztdr.Cli.Progress;

namespace Ztdr.Cli.Commands;

/// <summary>
/// <c>ztdr restore SNAPSHOT --target DIR [--include PATTERN]... [--exclude PATTERN]... [--overwrite] [--json]</c>:
/// a snapshot's files back onto disk, each backed-up path recreated under DIR by its absolute path (/etc to DIR/etc).
/// </summary>
internal static class RestoreCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var snapshotArgument = new Argument<string>("SNAPSHOT") { Description = "'latest', a snapshot id or a unique prefix of one (8+ hex digits)" };
        var target = new Option<string>("--target", "-t") { Description = "Folder to restore into", Required = true };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace files and symlinks that already exist in the target" };
        var include = new Option<string[]>("--include", "-i")
        {
            Description = "Restore only paths matching PATTERN (repeatable; '/' first: the absolute path as backed up, * within a name, ** across folders)",
        };
        var exclude = new Option<string[]>("--exclude", "-e") { Description = "Skip paths matching PATTERN and everything under them (repeatable)" };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON" };
        var command = new Command("restore", "Restore a snapshot into a folder") { snapshotArgument, target, overwrite, include, exclude, json };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, parse, ElapsedLine.Around(context, parse, async () =>
        {
            var targetPath = Path.GetFullPath(parse.GetValue(target)!);

            // Patterns first: a typo is reported before the password prompt and the repository round trips.
            var filter = new RestoreFilter(parse.GetValue(include) ?? [], parse.GetValue(exclude) ?? []);
            using var open = await OpenRepository.OpenAsync(global, parse, context, cancellationToken, readOnly: true);
            var reference = parse.GetValue(snapshotArgument)!;
            var (id, snapshot) = await open.Catalog.ResolveAsync(reference, cancellationToken);

            // "latest" must be the newest the owner committed, not the newest storage chose to show: say when it is not.
            await open.CheckRollbackAsync(reference == SnapshotCatalog.Latest ? (id, snapshot.Time) : null, cancellationToken);
            var progress = new ProgressLines(context);
            var options = new RestoreOptions { Overwrite = parse.GetValue(overwrite), Filter = filter, Progress = progress };
            RestoreSummary summary;
            try
            {
                summary = await new Restorer(open.Repository).RestoreAsync(snapshot, targetPath, options, cancellationToken);
            }
            finally
            {
                progress.Finish();
            }

            await context.Out.WriteLineAsync(parse.GetValue(json)
                ? ToJson(id.ToString(), targetPath, summary, context.DurationSeconds)
                : ToLine(id.ToString(), targetPath, summary));

            // An include that matched nothing is almost always a wrong path: a script must not take it for a restore.
            var unmatched = filter.UnmatchedIncludes;
            foreach (var pattern in unmatched)
            {
                await context.Error.WriteLineAsync($"ztdr: warning: --include '{pattern}' matched nothing in snapshot {id.ToString()[..8]} (see 'ztdr ls {id.ToString()[..8]}' for its paths)");
            }

            return unmatched.Count == 0 ? 0 : CommandErrors.Failed;
        })));
        return command;
    }

    internal static string ToLine(string snapshotId, string target, RestoreSummary summary) =>
        $"snapshot {snapshotId[..8]} restored to {target}: {summary.Files} files, {summary.Dirs} dirs, "
        + $"{summary.Symlinks} symlinks, {summary.HardLinks} hard links, {ByteSize.Format(summary.Bytes)}";

    internal static string ToJson(string snapshotId, string target, RestoreSummary summary, double durationSeconds) => JsonSerializer.Serialize(
        new RestoreJson(snapshotId, target, summary.Files, summary.Dirs, summary.Symlinks, summary.HardLinks, summary.Bytes) { DurationSeconds = durationSeconds },
        CliJsonContext.Output.RestoreJson);

    /// <summary>
    /// Restore progress as a <see cref="ProgressLine"/>: files and bytes done of the planned totals, percent, average
    /// rate and ETA (by bytes; by files when the files hold no bytes).
    /// </summary>
    internal sealed class ProgressLines(CliContext context) : IProgress<RestoreProgress>
    {
        private readonly ProgressLine _line = new(context);

        public void Report(RestoreProgress value) => Show(value.Files, value.TotalFiles, value.Bytes, value.TotalBytes);

        /// <summary>Prints one progress line unless one was printed less than a second ago.</summary>
        internal void Show(long files, long totalFiles, long bytes, long totalBytes) => _line.Show(() =>
        {
            var elapsed = _line.Elapsed;
            var (done, total) = totalBytes > 0 ? (bytes, totalBytes) : (files, totalFiles);
            return $"{files} of {totalFiles} files, {ByteSize.Format(bytes)} of {ByteSize.Format(totalBytes)} ({ProgressText.Percent(done, total)}), "
                + $"{ProgressText.Rate(bytes, elapsed)}{ProgressText.EtaSuffix(ProgressText.Eta(done, total, elapsed))}";
        });

        public void Finish() => _line.Finish();
    }
}
