using System.CommandLine;
using System.Text.Json;
using Ztdr.Backup.Archiving;
using Ztdr.Backup.Crypto;
using Ztdr.Cli.Output;
using Ztdr.Cli.Progress;

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
        var parent = new Option<string>("--parent")
        {
            Description = "Snapshot to compare with (id, unique prefix or 'latest'); default: the newest of the same paths and host",
        };
        var force = new Option<bool>("--force") { Description = "Read every file again, ignoring any parent snapshot" };
        var command = new Command("backup", "Back up files and folders into a new snapshot") { paths, json, parent, force };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, parse, ElapsedLine.Around(context, parse, async () =>
        {
            var fullPaths = parse.GetValue(paths)!.Select(Path.GetFullPath).ToArray();
            var parentReference = parse.GetValue(parent);
            var forced = parse.GetValue(force);
            if (forced && parentReference is not null)
            {
                throw new CliException("--force reads every file and records no parent; it cannot be combined with --parent.");
            }

            // Counting starts now, beside the key derivation, rather than beside the walk (see PreScan).
            using var scan = PreScan.Start(fullPaths);
            using var open = await OpenRepository.OpenForBackupAsync(global, parse, context, cancellationToken);
            ObjectId? parentId = parentReference is null ? null : (await open.Catalog.ResolveAsync(parentReference, cancellationToken)).Id;
            var archiver = new Archiver(open.Repository, open.Catalog, context.Time);
            var summary = await BackupProgressDisplay.RunAsync(
                context,
                progress => archiver.BackupAsync(new BackupRequest(fullPaths) { Progress = progress, Scan = scan, Parent = parentId, Force = forced }, cancellationToken));
            await open.Memory.RememberSnapshotAsync(open.Repository.Id, summary.SnapshotId, summary.Time);
            return await ReportAsync(context, BackupOutcome.From(summary) with { RetainUntil = open.Repository.RunRetainUntil }, parse.GetValue(json));
        })));
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

    internal static string ToLine(BackupOutcome summary)
    {
        var unchanged = summary.FilesUnchanged > 0 ? $" ({summary.FilesUnchanged} unchanged)" : "";
        var locked = summary.RetainUntil is { } until ? $", locked until {TimeText.Utc(until)}" : "";
        return $"snapshot {summary.SnapshotId[..8]} saved: {summary.Files} files{unchanged}, {summary.Dirs} dirs, "
            + $"{ByteSize.Format(summary.BytesRead)} read, {ByteSize.Format(summary.AddedBytes)} added{locked}";
    }

    internal static string ToJson(BackupOutcome summary) => JsonSerializer.Serialize(
        new BackupJson(
            summary.SnapshotId,
            summary.Tree,
            summary.Files,
            summary.Dirs,
            summary.BytesRead,
            summary.NewBlobs,
            summary.AddedBytes,
            summary.FilesUnchanged,
            summary.PacksUploaded,
            Math.Round(summary.DurationSeconds, 3),
            summary.RetainUntil,
            summary.Parent,
            summary.Skipped,
            summary.Errors),
        CliJsonContext.Output.BackupJson);
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
    public long FilesUnchanged { get; init; }

    public long PacksUploaded { get; init; }

    public double DurationSeconds { get; init; }

    /// <summary>The parent snapshot's id as hex, or null when the run had none.</summary>
    public string? Parent { get; init; }

    /// <summary>When the lock on what this run wrote ends (the retention rounded up to a lock generation).</summary>
    public DateTimeOffset? RetainUntil { get; init; }

    public static BackupOutcome From(BackupSummary summary) => new(
        summary.SnapshotId.ToString(),
        summary.Tree.ToString(),
        summary.Files,
        summary.Dirs,
        summary.BytesRead,
        summary.NewBlobs,
        summary.AddedBytes,
        summary.Skipped,
        summary.Errors)
    {
        FilesUnchanged = summary.FilesUnchanged,
        PacksUploaded = summary.PacksUploaded,
        DurationSeconds = summary.Duration.TotalSeconds,
        Parent = summary.Parent?.ToString(),
    };
}
