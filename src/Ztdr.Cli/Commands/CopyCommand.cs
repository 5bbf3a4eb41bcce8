using System.CommandLine;
using System.Text.Json;
using Ztdr.Backup.Copying;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Snapshots;
using Ztdr.Cli.Output;
using Ztdr.Cli.Progress;
using Ztdr.Cli.Zones;

namespace Ztdr.Cli.Commands;

/// <summary>
/// <c>ztdr copy --to-repo URL --to-password-file F [--to-profile P] [--to-credentials-file F] [--to-ca-bundle F]
/// [--json] [--dry-run] [SNAPSHOT…]</c>: copies snapshots (default: every one the target lacks) into a repository in
/// another resilience zone, which must already exist with its own password and master key. The source is only read, so
/// a read-only key suffices; the target is verified (structure and lock coverage) afterwards, and a target that fails
/// exits 1. <c>--dry-run</c> reads both repositories' trees and writes nothing to either.
/// </summary>
internal static class CopyCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var toRepo = new Option<string?>("--to-repo") { Description = "Target repository: s3:https://host:port/bucket[/prefix] or a folder path" };
        var toPasswordFile = new Option<string?>("--to-password-file") { Description = "File holding the target repository's password" };
        var toProfile = new Option<string?>("--to-profile") { Description = "Profile for the target (default: AWS_PROFILE)" };
        var toCredentials = new Option<string?>("--to-credentials-file") { Description = "Credentials file for the target (default: AWS_SHARED_CREDENTIALS_FILE)" };
        var toCaBundle = new Option<string?>("--to-ca-bundle") { Description = "CA bundle for the target (default: AWS_CA_BUNDLE)" };
        var toZone = new Option<string?>("--to-zone") { Description = "Target: a named zone from the zone file (instead of the --to-* options)" };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON" };
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Show what would be copied; write nothing" };
        var snapshots = new Argument<string[]>("snapshot") { Description = "Snapshots to copy (id prefix or 'latest'; default: all the target lacks)", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("copy", "Copy snapshots into a repository in another resilience zone")
        {
            toRepo, toPasswordFile, toProfile, toCredentials, toCaBundle, toZone, json, dryRun, snapshots,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, parse, ElapsedLine.Around(context, parse, async () =>
        {
            ZoneEndpoint target;
            if (parse.GetValue(toZone) is { } zoneName)
            {
                if (parse.GetValue(toRepo) is not null)
                {
                    throw new CliException("give --to-repo or --to-zone, not both");
                }

                var zone = ZoneConfig.Load(ZoneConfig.PathFor(parse.GetValue(global.Config), context)).Get(zoneName);
                target = zone.Endpoint with { PasswordFile = parse.GetValue(toPasswordFile) ?? zone.Endpoint.PasswordFile };
                if (target.PasswordFile is null)
                {
                    throw new CliException($"zone '{zone.Name}' has no 'passwordFile': add one to the zone file or use --to-password-file");
                }
            }
            else
            {
                var repository = parse.GetValue(toRepo) ?? throw new CliException("no target repository: use --to-repo or --to-zone");
                var passwordFile = parse.GetValue(toPasswordFile) ?? throw new CliException("no target password: use --to-password-file");
                target = new ZoneEndpoint(repository, parse.GetValue(toCredentials), parse.GetValue(toProfile), parse.GetValue(toCaBundle), passwordFile);
            }

            var output = new CopyOutput(parse.GetValue(json), parse.GetValue(dryRun));
            return await RunAsync(global, parse, context, target, parse.GetValue(snapshots) ?? [], output, cancellationToken);
        })));
        return command;
    }

    internal static async Task<int> RunAsync(
        GlobalOptions global, ParseResult parse, CliContext context, ZoneEndpoint target, string[] references, CopyOutput output, CancellationToken cancellationToken)
    {
        using var source = await OpenRepository.OpenAsync(global, parse, context, cancellationToken, readOnly: true);
        List<(ObjectId Id, Snapshot Snapshot)>? selection = null;
        if (references.Length > 0)
        {
            selection = [];
            foreach (var reference in references)
            {
                selection.Add(await source.Catalog.ResolveAsync(reference, cancellationToken));
            }
        }

        var (targetStore, targetRepository) = await target.OpenAsync(context, cancellationToken);
        using (targetRepository)
        using ((IDisposable?)(targetStore as IDisposable))
        {
            if (targetRepository.Id == source.Repository.Id)
            {
                throw new CliException($"'{target.Repository}' is the source repository itself; copy needs a repository in another zone");
            }

            var copier = new Copier(source.Repository, source.Catalog, targetStore, targetRepository, new SnapshotCatalog(targetStore, targetRepository));
            if (output.DryRun)
            {
                var plan = await copier.PlanAsync(selection, cancellationToken);
                await context.Out.WriteLineAsync(output.Json ? PlanToJson(plan, context.DurationSeconds) : PlanToText(plan));
                return 0;
            }

            var progress = new ProgressLines(context);
            CopySummary summary;
            try
            {
                summary = await copier.CopyAsync(selection, progress, cancellationToken);
            }
            finally
            {
                progress.Finish();
            }

            if (summary.PacksRecovered > 0)
            {
                await context.Error.WriteLineAsync($"ztdr: reusing {summary.PacksRecovered} packs uploaded by an interrupted copy or backup");
            }

            if (!output.Json)
            {
                foreach (var copied in summary.Copied)
                {
                    await context.Out.WriteLineAsync($"copied snapshot {copied.Source.ToString()[..8]} as {copied.Target.ToString()[..8]}");
                }

                await context.Out.WriteLineAsync(
                    $"{summary.Copied.Count} snapshots copied, {summary.Skipped.Count} already in the target; {summary.BlobsStored} blobs ({ByteSize.Format(summary.BytesStored)}) added");
            }

            // The check reads every target tree: through a cache of its own, filled from storage only (as verify's),
            // that is one request per tree pack instead of one per tree.
            using var checkCache = new TemporaryFolder("ztdr-copy-check-");
            targetRepository.UseCacheFilledFromStorage(checkCache.Path);
            var report = await copier.VerifyTargetAsync(cancellationToken);
            foreach (var warning in report.Warnings)
            {
                await context.Error.WriteLineAsync($"ztdr: warning: target: {warning}");
            }

            if (output.Json)
            {
                await context.Out.WriteLineAsync(SummaryToJson(summary, report.Passed, context.DurationSeconds));
            }

            if (!report.Passed)
            {
                await context.Error.WriteLineAsync($"ztdr: the target failed verification after the copy ({report.Findings.Count} errors); run 'ztdr verify' on it for details");
                return CommandErrors.Failed;
            }

            return 0;
        }
    }

    /// <summary>The copy summary as JSON: counts and each copy's source and target id.</summary>
    internal static string SummaryToJson(CopySummary summary, bool targetVerified, double durationSeconds) => JsonSerializer.Serialize(
        new CopyJson(
            summary.Copied.Count,
            summary.Skipped.Count,
            summary.BlobsRead,
            summary.BlobsStored,
            summary.BytesStored,
            summary.PacksRecovered,
            targetVerified,
            [.. summary.Copied.Select(c => new CopiedSnapshotJson(c.Source.ToString(), c.Target.ToString()))],
            [.. summary.Skipped.Select(id => id.ToString())])
        { DurationSeconds = durationSeconds },
        CliJsonContext.Output.CopyJson);

    internal static string PlanToJson(CopyPlan plan, double durationSeconds) => JsonSerializer.Serialize(
        new CopyPlanJson(
            plan.ToCopy.Count,
            plan.Skipped.Count,
            plan.BlobsToRead,
            plan.BytesToRead,
            [.. plan.ToCopy.Select(id => id.ToString())],
            [.. plan.Skipped.Select(id => id.ToString())])
        { DurationSeconds = durationSeconds },
        CliJsonContext.Output.CopyPlanJson);

    internal static string PlanToText(CopyPlan plan) => string.Join(
        '\n',
        [
            .. plan.ToCopy.Select(id => $"would copy snapshot {id.ToString()[..8]}"),
            $"dry run: {plan.ToCopy.Count} snapshots to copy, {plan.Skipped.Count} already in the target; at most {plan.BlobsToRead} blobs ({ByteSize.Format(plan.BytesToRead)}) to read; nothing written",
        ]);

    /// <summary>What the user asked the copy to print, and whether to write at all.</summary>
    internal sealed record CopyOutput(bool Json, bool DryRun);

    /// <summary>Copy progress as a <see cref="ProgressLine"/>: snapshots done, blobs read and stored, bytes added.</summary>
    internal sealed class ProgressLines(CliContext context) : IProgress<CopyProgress>
    {
        private readonly ProgressLine _line = new(context);

        public void Report(CopyProgress value) => Show(value.SnapshotsDone, value.SnapshotsTotal, value.BlobsRead, value.BlobsStored, value.BytesStored);

        /// <summary>Prints one progress line unless one was printed less than a second ago.</summary>
        internal void Show(int snapshotsDone, int snapshotsTotal, long blobsRead, long blobsStored, long bytesStored) => _line.Show(() =>
            $"{snapshotsDone} of {snapshotsTotal} snapshots, {blobsRead} blobs read, {blobsStored} added ({ByteSize.Format(bytesStored)})");

        public void Finish() => _line.Finish();
    }
}
