using System.CommandLine;
using Ztdr.Backup.Copying;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Snapshots;
using Ztdr.Cli.Zones;

namespace Ztdr.Cli.Commands;

/// <summary>
/// <c>ztdr copy --to-repo URL --to-password-file F [--to-profile P] [--to-credentials-file F] [--to-ca-bundle F]
/// [SNAPSHOT…]</c>: copies snapshots (default: every one the target lacks) into a repository in another resilience
/// zone, which must already exist with its own password and master key. The source is only read, so a read-only key
/// suffices; the target is verified (structure and lock coverage) afterwards, and a target that fails exits 1.
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
        var snapshots = new Argument<string[]>("snapshot") { Description = "Snapshots to copy (id prefix or 'latest'; default: all the target lacks)", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("copy", "Copy snapshots into a repository in another resilience zone")
        {
            toRepo, toPasswordFile, toProfile, toCredentials, toCaBundle, toZone, snapshots,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, async () =>
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

            return await RunAsync(global, parse, context, target, parse.GetValue(snapshots) ?? [], cancellationToken);
        }));
        return command;
    }

    internal static async Task<int> RunAsync(GlobalOptions global, ParseResult parse, CliContext context, ZoneEndpoint target, string[] references, CancellationToken cancellationToken)
    {
        using var source = await OpenRepository.OpenAsync(global, parse, context, cancellationToken);
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
            var summary = await copier.CopyAsync(selection, null, cancellationToken);
            if (summary.PacksRecovered > 0)
            {
                await context.Error.WriteLineAsync($"ztdr: reusing {summary.PacksRecovered} packs uploaded by an interrupted copy or backup");
            }

            foreach (var copied in summary.Copied)
            {
                await context.Out.WriteLineAsync($"copied snapshot {copied.Source.ToString()[..8]} as {copied.Target.ToString()[..8]}");
            }

            await context.Out.WriteLineAsync(
                $"{summary.Copied.Count} snapshots copied, {summary.Skipped.Count} already in the target; {summary.BlobsStored} blobs ({ByteSize.Format(summary.BytesStored)}) added");

            var report = await copier.VerifyTargetAsync(cancellationToken);
            foreach (var warning in report.Warnings)
            {
                await context.Error.WriteLineAsync($"ztdr: warning: target: {warning}");
            }

            if (!report.Passed)
            {
                await context.Error.WriteLineAsync($"ztdr: the target failed verification after the copy ({report.Findings.Count} errors); run 'ztdr verify' on it for details");
                return CommandErrors.Failed;
            }

            return 0;
        }
    }
}
