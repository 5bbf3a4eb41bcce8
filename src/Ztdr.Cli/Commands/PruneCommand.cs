using System.CommandLine;
using System.Text.Json;
using Ztdr.Backup.Pruning;
using Ztdr.Backup.Stores;
using Ztdr.Cli.Locations;
using Ztdr.Cli.Output;
using Ztdr.Cli.Progress;
using Ztdr.Cli.Zones;

namespace Ztdr.Cli.Commands;

/// <summary>
/// <c>ztdr prune</c>: deletes what no unforgotten snapshot needs, once its lock has ended. Reads the repository and
/// writes the new index with the usual key; deletes with the maintenance key (<c>--maintenance-profile</c>), the
/// only role storage lets delete, and only versions whose lock has ended. With <c>--zone</c>, the zone's repository and
/// keys, deleting with the zone's <c>maintenanceProfile</c> (in its credentials file). Objects still locked are reported with
/// the date they unlock; running prune again then takes them.
/// </summary>
internal static class PruneCommand
{
    public const string MaintenanceProfileVariable = "ZTDR_MAINTENANCE_PROFILE";

    public static Command Create(GlobalOptions global, CliContext context)
    {
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Show what would be deleted; write and delete nothing" };
        var maintenanceProfile = new Option<string?>("--maintenance-profile")
        {
            Description = $"Profile (in AWS_SHARED_CREDENTIALS_FILE) of the maintenance key that deletes (default: the zone's \"maintenanceProfile\" with --zone, then ${MaintenanceProfileVariable}, else the repository's own key)",
        };
        var noRepack = new Option<bool>("--no-repack") { Description = "Keep partly used packs whole instead of copying their used blobs into new packs" };
        var ignoreImpostors = new Option<bool>("--ignore-impostors")
        {
            Description = "Prune even though storage holds objects ztdr did not write (a leaked key); they are never counted as the repository's",
        };
        var json = new Option<bool>("--json") { Description = "Print the plan and what was deleted as JSON" };
        var command = new Command("prune", "Delete unreferenced data whose lock has ended (needs the maintenance key)") { dryRun, maintenanceProfile, noRepack, ignoreImpostors, json };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, parse, ElapsedLine.Around(context, parse, async () =>
        {
            // With --zone, the zone's repository, credentials file and CA bundle, and its maintenance profile unless
            // --maintenance-profile overrides it: never the default repository's settings, which may be another zone's.
            var zone = ZoneOf(global, parse, context);
            var location = zone is not null ? RepositoryLocation.Parse(zone.Endpoint.Repository) : RepositoryLocation.Resolve(parse.GetValue(global.Repository), context);
            var storeContext = zone?.Endpoint.ContextFor(context) ?? context;
            var profile = parse.GetValue(maintenanceProfile) ?? zone?.MaintenanceProfile ?? context.Variable(MaintenanceProfileVariable);
            if (profile is not null && location is not S3Location)
            {
                throw new CliException("--maintenance-profile is for S3 repositories; a folder repository deletes with the file system's permissions");
            }

            using var open = await OpenRepository.OpenAsync(global, parse, context, cancellationToken);
            var deleteStore = profile is not null ? location.OpenStore(WithProfile(storeContext, profile)) : null;
            try
            {
                if (await DeleteRefusedAsync(deleteStore ?? location.OpenStore(storeContext), deleteStore is null, cancellationToken) is { } refusal)
                {
                    // Before anything is written: a cron job with the wrong key must fail today, not in 30 days.
                    var hint = profile is not null
                        ? $"profile [{profile}] (from {(parse.GetValue(maintenanceProfile) is not null ? "--maintenance-profile" : zone?.MaintenanceProfile is not null ? "\"maintenanceProfile\" in the zone file" : MaintenanceProfileVariable)}) is not the maintenance key; fix that setting"
                        : $"give the maintenance key's profile with {(zone is not null ? "\"maintenanceProfile\" in the zone file, " : "")}--maintenance-profile or {MaintenanceProfileVariable}";
                    if (parse.GetValue(dryRun))
                    {
                        await context.Error.WriteLineAsync($"ztdr: warning: {refusal}: a real prune would fail; {hint}");
                    }
                    else
                    {
                        throw new CommandFailedException($"{refusal}, so prune can delete nothing: {hint}");
                    }
                }

                var pruner = new Pruner(open.Store, deleteStore ?? open.Store, open.Repository, context.Time);
                var plan = await pruner.PlanAsync(repack: !parse.GetValue(noRepack), cancellationToken);
                var asJson = parse.GetValue(json);
                if (!asJson)
                {
                    await WritePlanAsync(context, plan);
                }

                if (open.Repository.Impostors.Count > 0 && !parse.GetValue(dryRun) && !parse.GetValue(ignoreImpostors))
                {
                    // Someone else can write this bucket: deleting now would act on a repository an attacker shaped.
                    // Nothing an impostor holds is counted as the repository's, but the owner decides, not prune.
                    open.WarnImpostors();
                    throw new CommandFailedException(
                        $"storage holds {open.Repository.Impostors.Count} object version(s) ztdr did not write (listed above); nothing was deleted. "
                        + "Find out who holds a key that can write this bucket, rotate it, run 'ztdr verify', then prune with --ignore-impostors");
                }

                if (parse.GetValue(dryRun) && asJson)
                {
                    await context.Out.WriteLineAsync(ToJson(plan, DeletableByKind(plan.Deletable), plan.Locked, result: null, context.DurationSeconds));
                    return 0;
                }

                if (parse.GetValue(dryRun))
                {
                    await WriteTableAsync(context, plan.Deletable, plan.Locked, "Would delete");
                    await context.Out.WriteLineAsync($"dry run: would delete {plan.Deletable.Count} objects ({ByteSize.Format(plan.Deletable.Sum(c => c.Size))}); nothing was written or deleted");
                    await WriteLockedAsync(context, plan.Locked);
                    return 0;
                }

                PruneResult result;
                try
                {
                    result = await pruner.ExecuteAsync(plan, cancellationToken);
                }
                catch (ObjectStoreException e) when (e.Kind == StoreErrorKind.AccessDenied && profile is null)
                {
                    var where = zone is not null ? "\"maintenanceProfile\" in the zone file, " : "";
                    throw new ObjectStoreException(e.Kind, $"{e.Message}; give the maintenance key's profile with {where}--maintenance-profile or {MaintenanceProfileVariable}", e);
                }

                if (asJson)
                {
                    await context.Out.WriteLineAsync(ToJson(plan, result.Deleted, result.StillLocked, result, context.DurationSeconds));
                    return 0;
                }

                await WriteTableAsync(context, result, "Deleted");
                if (result.NewPacks.Count > 0)
                {
                    await context.Out.WriteLineAsync($"repacked: {result.NewPacks.Sum(p => p.Entries.Count)} blobs copied into {result.NewPacks.Count} new pack(s)");
                }

                if (result.NewIndexObjects.Count > 0)
                {
                    await context.Out.WriteLineAsync($"wrote {result.NewIndexObjects.Count} index object(s) listing the packs that stay");
                }

                await context.Out.WriteLineAsync($"deleted {result.DeletedCount} objects, freed {ByteSize.Format(result.BytesFreed)}");
                await WriteLockedAsync(context, result.StillLocked);
                return 0;
            }
            finally
            {
                (deleteStore as IDisposable)?.Dispose();
            }
        })));
        return command;
    }

    /// <summary>
    /// Why storage will refuse this key's deletes (the harmless probe of <see cref="S3ObjectStore.MayDeleteVersionsAsync"/>),
    /// or null when it may delete or when a folder's file system decides. <paramref name="dispose"/>: the store was
    /// opened for the probe alone.
    /// </summary>
    private static async Task<string?> DeleteRefusedAsync(IObjectStore store, bool dispose, CancellationToken cancellationToken)
    {
        try
        {
            return store is S3ObjectStore s3 && !await s3.MayDeleteVersionsAsync(cancellationToken)
                ? "storage refuses this key deletes of versions (HTTP 403)"
                : null;
        }
        finally
        {
            if (dispose)
            {
                (store as IDisposable)?.Dispose();
            }
        }
    }

    /// <summary>The zone <c>--zone</c> names (with its maintenance profile), or null without <c>--zone</c>.</summary>
    private static Zone? ZoneOf(GlobalOptions global, ParseResult parse, CliContext context)
    {
        if (OpenRepository.Zone(global, parse, context) is null)
        {
            return null;
        }

        return ZoneConfig.Load(ZoneConfig.PathFor(parse.GetValue(global.Config), context)).Get(parse.GetValue(global.Zone)!);
    }

    /// <summary>The same environment with the profile chosen (over environment keys too): the S3 store of the maintenance key.</summary>
    private static CliContext WithProfile(CliContext context, string profile) =>
        context with { Environment = name => name == AwsCredentialChain.ChosenProfileKey ? profile : context.Environment(name) };

    private static async Task WritePlanAsync(CliContext context, PrunePlan plan)
    {
        await context.Out.WriteLineAsync($"snapshots: {plan.KeptSnapshots} kept, {plan.ForgottenSnapshots} forgotten");
        await context.Out.WriteLineAsync($"blobs reachable from kept snapshots: {plan.ReachableBlobs} in {plan.PacksInUse} packs");
        if (plan.PartlyUsedPacks > 0)
        {
            var kept = plan.PartlyUsedPacks - plan.RepackCount;
            await context.Out.WriteLineAsync(
                $"{plan.PartlyUsedPacks} partly used pack(s) hold {ByteSize.Format(plan.UnusedBytesInPartlyUsedPacks)} of unused blobs: "
                + $"{plan.RepackCount} unlocked one(s) repacked (used blobs copied to new packs, then deleted), {kept} kept whole (locked, or --no-repack)");
        }

        if (plan.MissingPacks.Count > 0)
        {
            await context.Out.WriteLineAsync($"{plan.MissingPacks.Count} pack(s) the index lists are missing from storage; no kept snapshot needs them, the new index leaves them out");
        }
    }

    private static Task WriteTableAsync(CliContext context, PruneResult result, string verb)
    {
        var deleted = Enum.GetValues<PruneObjectKind>().ToDictionary(k => k, k => result.Deleted.GetValueOrDefault(k));
        return WriteTableAsync(context, deleted, result.StillLocked, verb);
    }

    private static Task WriteTableAsync(CliContext context, IReadOnlyList<PruneCandidate> deletable, IReadOnlyList<PruneCandidate> locked, string verb) =>
        WriteTableAsync(context, DeletableByKind(deletable), locked, verb);

    private static Dictionary<PruneObjectKind, (int Count, long Bytes)> DeletableByKind(IReadOnlyList<PruneCandidate> deletable) =>
        Enum.GetValues<PruneObjectKind>().ToDictionary(
            k => k,
            k => (deletable.Count(c => c.Kind == k), deletable.Where(c => c.Kind == k).Sum(c => c.Size)));

    /// <summary>
    /// The plan, and per kind what was deleted (<paramref name="result"/>) or would be (null: a dry run), with what
    /// stays locked and until when.
    /// </summary>
    internal static string ToJson(
        PrunePlan plan, IReadOnlyDictionary<PruneObjectKind, (int Count, long Bytes)> deleted, IReadOnlyList<PruneCandidate> locked, PruneResult? result, double durationSeconds) =>
        JsonSerializer.Serialize(
            new PruneJson(
                result is null,
                new PrunePlanJson(
                    plan.KeptSnapshots,
                    plan.ForgottenSnapshots,
                    plan.ReachableBlobs,
                    plan.PacksInUse,
                    plan.PartlyUsedPacks,
                    plan.RepackCount,
                    plan.UnusedBytesInPartlyUsedPacks,
                    plan.MissingPacks.Count),
                [.. Enum.GetValues<PruneObjectKind>().Select(kind =>
                {
                    var (count, bytes) = deleted.GetValueOrDefault(kind);
                    var lockedOfKind = locked.Where(c => c.Kind == kind).ToList();
                    return new PruneKindJson(
                        JsonNamingPolicy.KebabCaseLower.ConvertName(kind.ToString()),
                        count,
                        bytes,
                        lockedOfKind.Count,
                        lockedOfKind.Count == 0 ? null : lockedOfKind.Max(c => c.Retention!.RetainUntil));
                })],
                deleted.Values.Sum(d => d.Count),
                deleted.Values.Sum(d => d.Bytes),
                result?.NewPacks.Count ?? 0,
                result?.NewPacks.Sum(p => p.Entries.Count) ?? 0,
                result?.NewIndexObjects.Count ?? 0,
                locked.Count,
                locked.Count == 0 ? null : locked.Min(c => c.Retention!.RetainUntil),
                locked.Count == 0 ? null : locked.Max(c => c.Retention!.RetainUntil))
            { DurationSeconds = durationSeconds },
            CliJsonContext.Output.PruneJson);

    /// <summary>One row per kind: objects and bytes deleted (or to delete), objects still locked and until when.</summary>
    private static async Task WriteTableAsync(CliContext context, IReadOnlyDictionary<PruneObjectKind, (int Count, long Bytes)> deleted, IReadOnlyList<PruneCandidate> locked, string verb)
    {
        string[] header = ["Objects", verb, "Bytes", "Still locked", "Locked until"];
        var rows = new List<IReadOnlyList<string>>();
        foreach (var kind in Enum.GetValues<PruneObjectKind>())
        {
            var (count, bytes) = deleted.GetValueOrDefault(kind);
            var lockedOfKind = locked.Where(c => c.Kind == kind).ToList();
            rows.Add(
            [
                KindName(kind),
                count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ByteSize.Format(bytes),
                lockedOfKind.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                lockedOfKind.Count == 0 ? "-" : TimeText.Utc(lockedOfKind.Max(c => c.Retention!.RetainUntil)),
            ]);
        }

        if (SnapshotsCommand.IsTerminal(context))
        {
            SnapshotsCommand.WriteTerminalTable(context, header, rows);
        }
        else
        {
            await PlainTable.WriteAsync(context.Out, header, rows);
        }
    }

    private static async Task WriteLockedAsync(CliContext context, IReadOnlyList<PruneCandidate> locked)
    {
        if (locked.Count == 0)
        {
            return;
        }

        var first = locked.Min(c => c.Retention!.RetainUntil);
        var lastDate = locked.Max(c => c.Retention!.RetainUntil);
        var firstText = first == lastDate ? "" : $" (the first unlocks {TimeText.Utc(first)})";
        await context.Out.WriteLineAsync(
            $"{locked.Count} objects still locked until {TimeText.Utc(lastDate)}{firstText}; run prune again after that");
    }

    private static string KindName(PruneObjectKind kind) => kind switch
    {
        PruneObjectKind.Pack => "packs",
        PruneObjectKind.Index => "index objects",
        PruneObjectKind.Snapshot => "forgotten snapshots",
        PruneObjectKind.Marker => "forgotten markers",
        _ => kind.ToString(),
    };
}
