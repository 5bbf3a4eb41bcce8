using System.CommandLine;
using System.Text.Json;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Verifying;
using Ztdr.Cli.Output;
using Ztdr.Cli.Progress;
using Ztdr.Cli.Status;

namespace Ztdr.Cli.Commands;

/// <summary>
/// <c>ztdr verify [--read-data | --read-data-subset N%|n/t] [--json]</c>: proves the repository restorable. Exit 0 only
/// with zero findings; otherwise every finding with the snapshots and files it breaks, and exit 1. Every run records
/// its result for <c>ztdr status</c> (<see cref="VerificationLog"/>, else this host's state file).
/// </summary>
/// <remarks>
/// A store that is not immutable (a folder) gets a warning, not an error: lock coverage cannot be proven there, but
/// the data can still be proven intact and restorable, which is what the exit code answers. Failing every folder
/// repository would make verify useless for them and teach users to ignore its exit code; whether a storage target is
/// zero-trust is <c>ztdr assess</c>'s question, and the warning says plainly that this one is not.
/// </remarks>
internal static class VerifyCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var readData = new Option<bool>("--read-data") { Description = "Download every pack and authenticate every blob" };
        var subset = new Option<string?>("--read-data-subset")
        {
            Description = "Download and authenticate only some packs: a random N% (e.g. 10%) or group n/t (e.g. 2/5; t runs cover everything)",
        };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON" };
        var command = new Command("verify", "Check that every snapshot can be restored and stays locked while it must") { readData, subset, json };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, parse, ElapsedLine.Around(context, parse, async () =>
        {
            var selection = parse.GetValue(subset) is { } text ? ParseSubset(text) : parse.GetValue(readData) ? PackSubset.All : null;
            // Trees come from storage, a pack at a time, into a cache of this run only: never from the user's cache,
            // which holds what storage said earlier, not what it says now (restic's check does the same).
            using var ownCache = new TemporaryFolder("ztdr-verify-cache-");
            using var open = await OpenRepository.OpenAsync(global, parse, context, cancellationToken, ownCache: ownCache.Path);
            var missing = await open.CheckRollbackAsync(null, cancellationToken);
            var progress = new ProgressLines(context);
            var report = await new Verifier(open.Store, open.Repository, open.Catalog)
                .VerifyAsync(
                    new VerifyOptions
                    {
                        ReadData = selection,
                        Progress = progress,
                        MissingSnapshot = missing,
                    },
                    cancellationToken);
            open.ImpostorsReported = true;
            progress.Finish();
            var record = VerificationRecord.From(report, selection, context.Time.GetUtcNow(), Environment.MachineName, Program);
            await RecordAsync(context, open, record, cancellationToken);
            return await ReportAsync(context, VerifyOutcome.From(report), parse.GetValue(json));
        })));
        return command;
    }

    /// <summary>This program as snapshots and verification records name it.</summary>
    internal static string Program => "ztdr " + (typeof(VerifyCommand).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");

    /// <summary>
    /// Keeps the run's result for <c>ztdr status</c>: in the repository (every host sees it, and it is locked) when the
    /// key can write there, else in this host's state file, said in one line. Never changes verify's exit code: the
    /// repository was verified either way, and a key that may only read is the right one to verify with.
    /// </summary>
    private static async Task RecordAsync(CliContext context, OpenRepository open, VerificationRecord record, CancellationToken cancellationToken)
    {
        string reason;
        try
        {
            await new VerificationLog(open.Store, open.Repository).WriteAsync(record, cancellationToken);
            return;
        }
        catch (ObjectStoreException e) when (e.Kind is StoreErrorKind.AccessDenied)
        {
            reason = "this key cannot write to the repository";
        }
        catch (ObjectStoreException e)
        {
            reason = $"the repository refused it: {e.Message}";
        }

        if (LocalVerificationState.PathFor(open.Repository.Id, context) is not { } path)
        {
            await context.Error.WriteLineAsync($"ztdr: warning: the result was not recorded ({reason}, and neither XDG_STATE_HOME nor HOME is set)");
            return;
        }

        try
        {
            await LocalVerificationState.WriteAsync(path, record, cancellationToken);
            await context.Error.WriteLineAsync($"ztdr: result recorded on this host only, in {path} ({reason})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await context.Error.WriteLineAsync($"ztdr: warning: the result was not recorded ({reason}; {path}: {e.Message})");
        }
    }

    /// <summary>Warnings on stderr, then the findings (or the one-line all-clear) on stdout; exit 0 only with no findings.</summary>
    internal static async Task<int> ReportAsync(CliContext context, VerifyOutcome report, bool json)
    {
        foreach (var warning in report.Warnings)
        {
            await context.Error.WriteLineAsync($"ztdr: warning: {warning}");
        }

        await context.Out.WriteAsync(json ? ToJson(report, context.DurationSeconds) + "\n" : ToText(report));
        return report.Passed ? 0 : CommandErrors.Failed;
    }

    internal static string ToText(VerifyOutcome report)
    {
        var text = new System.Text.StringBuilder();
        if (report.Passed)
        {
            text.Append($"no errors found: {Count(report.Snapshots, "snapshot")}, {Count(report.Packs, "pack")}, {Count(report.Blobs, "blob")}, {ByteSize.Format(report.BytesRead)} read");
            if (report.PacksRead < report.Packs && report.PacksRead > 0)
            {
                text.Append($" ({report.PacksRead} of {report.Packs} packs)");
            }

            return text.Append('\n').ToString();
        }

        var lines = PlainTable.Lines(
            ["Error", "Object", "Snapshots", "Detail"],
            [.. report.Findings.Select(f => (IReadOnlyList<string>)[f.Kind, f.Object, Snapshots(f), f.Detail])]);
        text.Append(lines[0]).Append('\n');
        for (var i = 0; i < report.Findings.Count; i++)
        {
            text.Append(lines[i + 1]).Append('\n');
            var finding = report.Findings[i];
            foreach (var path in finding.Paths)
            {
                text.Append("    ").Append(path).Append('\n');
            }

            if (finding.MorePaths > 0)
            {
                text.Append($"    ... and {finding.MorePaths} more\n");
            }
        }

        var affected = report.Findings.SelectMany(f => f.Snapshots).Distinct().Count();
        var total = report.Snapshots + report.Findings.Count(f => f.Kind == UnreadableSnapshot);
        text.Append($"{Count(report.Findings.Count, "error")} found, {affected} of {total} snapshots affected\n");
        return text.ToString();
    }

    internal static string ToJson(VerifyOutcome report, double durationSeconds) => JsonSerializer.Serialize(
        new VerifyJson(
            report.Findings.Count,
            report.Snapshots,
            report.Packs,
            report.Blobs,
            report.PacksRead,
            report.BytesRead,
            report.LockCoverageChecked,
            report.Warnings,
            [.. report.Findings.Select(f => new FindingJson(f.Kind, f.Object, f.Detail, f.Snapshots, f.Paths, f.MorePaths))])
        { DurationSeconds = durationSeconds },
        CliJsonContext.Output.VerifyJson);

    private const string UnreadableSnapshot = "snapshot-unreadable";

    /// <summary>The stable names of finding kinds, for the table and for scripts reading <c>--json</c>.</summary>
    internal static string KindText(FindingKind kind) => kind switch
    {
        FindingKind.SnapshotUnreadable => UnreadableSnapshot,
        FindingKind.TreeUnreadable => "tree-unreadable",
        FindingKind.BlobNotIndexed => "blob-not-indexed",
        FindingKind.PackMissing => "pack-missing",
        FindingKind.PackTruncated => "pack-truncated",
        FindingKind.PackUnreadable => "pack-unreadable",
        FindingKind.BlobDamaged => "blob-damaged",
        FindingKind.PackTrailerMismatch => "pack-trailer-mismatch",
        FindingKind.LockNotCovering => "lock-not-covering",
        FindingKind.Impostor => "impostor",
        FindingKind.SnapshotMissing => "snapshot-missing",
        _ => kind.ToString(),
    };

    private static PackSubset ParseSubset(string text)
    {
        try
        {
            return PackSubset.Parse(text);
        }
        catch (ArgumentException ex)
        {
            throw new CliException($"--read-data-subset: {ex.Message}");
        }
    }

    private static string Snapshots(FindingOutcome finding) =>
        finding.Snapshots.Count == 0 ? "-" : string.Join(",", finding.Snapshots.Select(s => s[..Math.Min(8, s.Length)]));

    private static string Count(long count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";

    /// <summary>
    /// Verify progress as a <see cref="ProgressLine"/>: the phase, how far it is (count, percent, ETA when the phase
    /// has a total), the bytes read and the read rate. Phases differ wildly in speed (listing locks against
    /// downloading packs), so percent, rate and ETA are the current phase's own, measured from when it began.
    /// </summary>
    internal sealed class ProgressLines(CliContext context) : IProgress<VerifyProgress>
    {
        private readonly ProgressLine _line = new(context);
        private readonly Lock _lock = new();
        private string? _phase;
        private TimeSpan _phaseStarted;
        private long _phaseBytes;
        private TimeSpan _lastReport;
        private long _lastBytes;

        public void Report(VerifyProgress value) => Show(value.Phase, value.Done, value.Total, value.BytesRead);

        /// <summary>Prints one progress line unless one was printed less than a second ago; tracks the phase either way.</summary>
        internal void Show(string phase, long done, long total, long bytesRead)
        {
            TimeSpan elapsed;
            long bytes;
            lock (_lock)
            {
                // A phase's first report comes after its first step: it began when the previous phase last reported.
                var now = _line.Elapsed;
                if (phase != _phase)
                {
                    (_phase, _phaseStarted, _phaseBytes) = (phase, _lastReport, _lastBytes);
                }

                (_lastReport, _lastBytes) = (now, bytesRead);
                elapsed = now - _phaseStarted;
                bytes = bytesRead - _phaseBytes;
            }

            _line.Show(() => Text(phase, done, total, bytesRead, elapsed, bytes));
        }

        /// <summary>
        /// One line: <paramref name="done"/> of <paramref name="total"/> steps of <paramref name="phase"/> (no total: a
        /// count), <paramref name="bytesRead"/> in all, and the phase's own rate and ETA from its
        /// <paramref name="phaseBytes"/> in <paramref name="elapsed"/>.
        /// </summary>
        internal static string Text(string phase, long done, long total, long bytesRead, TimeSpan elapsed, long phaseBytes)
        {
            var count = total > 0
                ? $"{done} of {total} ({ProgressText.Percent(done, total)})"
                : done.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var rate = phaseBytes > 0 ? $", {ProgressText.Rate(phaseBytes, elapsed)}" : "";
            return $"{phase}: {count}, {ByteSize.Format(bytesRead)} read{rate}{ProgressText.EtaSuffix(ProgressText.Eta(done, total, elapsed))}";
        }

        public void Finish() => _line.Finish();
    }
}

/// <summary>What the CLI reports of a <see cref="VerifyReport"/>: kinds by their stable names, ids as hex text.</summary>
internal sealed record VerifyOutcome(
    IReadOnlyList<FindingOutcome> Findings,
    IReadOnlyList<string> Warnings,
    int Snapshots,
    int Packs,
    int Blobs,
    bool LockCoverageChecked,
    int PacksRead,
    long BytesRead)
{
    public bool Passed => Findings.Count == 0;

    public static VerifyOutcome From(VerifyReport report) => new(
        [.. report.Findings.Select(f => new FindingOutcome(
            VerifyCommand.KindText(f.Kind), f.Object, f.Detail, [.. f.Snapshots.Select(s => s.ToString())], f.Paths, f.MorePaths))],
        report.Warnings,
        report.Snapshots,
        report.Packs,
        report.Blobs,
        report.LockCoverageChecked,
        report.PacksRead,
        report.BytesRead);
}

/// <summary>One finding as the CLI prints it.</summary>
internal sealed record FindingOutcome(string Kind, string Object, string Detail, IReadOnlyList<string> Snapshots, IReadOnlyList<string> Paths, long MorePaths);
