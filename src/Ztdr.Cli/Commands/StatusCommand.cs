using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ztdr.Cli.Locations;
using Ztdr.Cli.Output;
using Ztdr.Cli.Passwords;
using Ztdr.Cli.Status;
using Ztdr.Cli.Zones;
using BackupRepository = Ztdr.Backup.Repository.Repository;

namespace Ztdr.Cli.Commands;

/// <summary>
/// <c>ztdr status [--json]</c>: every zone of the zone file (or only the <c>--repo</c>/<c>--zone</c> given) — newest
/// snapshot and its age, lock coverage, last verification, snapshot count — then the 3-2-1-1-0 verdict
/// (<see cref="ResilienceVerdict"/>). Exit 0 when the rule holds, 1 when it does not, 2 when a zone could not be read
/// (the others are still reported): a monitoring check needs no parsing to alert.
/// </summary>
internal static class StatusCommand
{
    public const int ZoneUnreadable = 2;

    public static Command Create(GlobalOptions global, CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print the status as JSON (for monitoring)" };
        var command = new Command("status", "Show every zone's newest backup, lock and last verification, and whether 3-2-1-1-0 holds") { json };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, parse, async () =>
        {
            var zones = new List<ZoneStatus>();
            foreach (var (zone, open) in Targets(global, parse, context, cancellationToken))
            {
                zones.Add(await ZoneProbe.ReadAsync(zone, open, context, cancellationToken));
            }

            var verdict = ResilienceVerdict.Judge(zones);
            var now = context.Time.GetUtcNow();
            await context.Out.WriteAsync(parse.GetValue(json) ? ToJson(zones, verdict, now) + "\n" : ToText(zones, verdict, now));
            return zones.Any(z => !z.Readable) ? ZoneUnreadable : verdict.Met ? 0 : CommandErrors.Failed;
        }));
        return command;
    }

    /// <summary>
    /// The zones to read: the one <c>--zone</c> or <c>--repo</c> names; else every zone of the zone file; else (no zone
    /// file) the repository of <c>ZTDR_REPOSITORY</c>. Each zone is opened with its own key and password file, falling
    /// back to <c>--password-file</c>, never to the environment's repository password.
    /// </summary>
    private static IEnumerable<(ZoneStatus Zone, Func<Task<(Ztdr.Backup.Stores.IObjectStore, BackupRepository)>> Open)> Targets(
        GlobalOptions global, ParseResult parse, CliContext context, CancellationToken cancellationToken)
    {
        var zoneName = parse.GetValue(global.Zone);
        var repoOption = parse.GetValue(global.Repository);
        var passwordFile = parse.GetValue(global.PasswordFile);
        var zonePath = ZoneConfig.PathFor(parse.GetValue(global.Config), context);
        if (zoneName is not null && repoOption is not null)
        {
            throw new CliException("give --repo or --zone, not both");
        }

        if (zoneName is not null || (repoOption is null && File.Exists(zonePath)))
        {
            var config = ZoneConfig.Load(zonePath);
            var zones = zoneName is not null ? [config.Get(zoneName)] : config.Zones;
            if (zones.Count == 0)
            {
                throw new CliException($"zone file {zonePath}: no zones; add one, or give --repo");
            }

            return [.. zones.Select(zone =>
            {
                var endpoint = zone.ReadEndpoint with { PasswordFile = zone.Endpoint.PasswordFile ?? passwordFile };
                var status = new ZoneStatus(zone.Name, endpoint.Repository, ZoneProbe.MediumOf(RepositoryLocation.Parse(endpoint.Repository)), zone.Offsite);
                return (status, (Func<Task<(Ztdr.Backup.Stores.IObjectStore, BackupRepository)>>)(() => endpoint.OpenAsync(context, cancellationToken)));
            })];
        }

        var location = RepositoryLocation.Resolve(repoOption, context);
        var text = repoOption ?? context.Variable(RepositoryLocation.Variable)!;
        var single = new ZoneStatus("repository", text, ZoneProbe.MediumOf(location), Offsite: false);
        return [(single, async () =>
        {
            var password = PasswordSource.Resolve(passwordFile, context, confirm: false);
            var store = location.OpenStore(context);
            try
            {
                return (store, await BackupRepository.OpenAsync(store, password, context.Time, cancellationToken));
            }
            catch
            {
                (store as IDisposable)?.Dispose();
                throw;
            }
        })];
    }

    internal static string ToText(IReadOnlyList<ZoneStatus> zones, ResilienceVerdict verdict, DateTimeOffset now)
    {
        string[] header = ["Zone", "Snapshots", "Newest", "Time", "Age", "Host", "Lock", "Last verified", "Result"];
        var rows = zones.Select(z => (IReadOnlyList<string>)(z.Error is { } error
            ? [z.Name, "-", "-", "-", "-", "-", "-", "-", $"unreadable: {error}"]
            : [
                z.Name,
                z.SnapshotCount.ToString(CultureInfo.InvariantCulture),
                z.Newest is { } n ? n.Id.ToString()[..8] : "-",
                z.Newest is { } t ? TimeText.Utc(t.Time) : "-",
                z.Newest is { } a ? Age(now - a.Time) : "-",
                z.Newest?.Hostname ?? "-",
                LockText(z.Lock),
                z.LastVerification is { } v ? $"{TimeText.Utc(v.Time)} ({Age(now - v.Time)} ago, read {ReadText(v)})" : "never",
                VerificationText(z),
            ])).ToList();

        var text = new System.Text.StringBuilder();
        foreach (var line in PlainTable.Lines(header, rows))
        {
            text.Append(line).Append('\n');
        }

        text.Append('\n');
        if (verdict.Newest is { } newest)
        {
            text.Append($"newest snapshot: {newest.Id.ToString()[..8]} from {newest.Hostname} at {TimeText.Utc(newest.Time)}, held by {(verdict.Holding.Count == 0 ? "no zone" : string.Join(", ", verdict.Holding))}\n");
        }
        else
        {
            text.Append("newest snapshot: none in any readable zone\n");
        }

        foreach (var same in verdict.SameRepositories)
        {
            text.Append($"same repository ({same.RepositoryId[..8]}): {string.Join(", ", same.Zones)}; counted as one copy");
            text.Append(same.OffsiteDisagrees ? ", not off-site: only some of these entries are marked \"offsite\": true\n" : "\n");
        }

        var unclean = zones.Where(z => !z.VerifiedClean).Select(z => $"{z.Name}: {(z.Readable ? VerificationText(z) : "unreadable")}").ToList();
        text.Append(Line("3 copies", verdict.Copies, $"the live data and {Plural(verdict.Copies.Count - ResilienceVerdict.LiveCopies, "repository", "repositories")} holding the newest snapshot"));
        text.Append(Line("2 media", verdict.Media, $"{Plural(verdict.Media.Count, "distinct storage endpoint")}"));
        text.Append(Line("1 off-site", verdict.Offsite, verdict.Offsite.Met ? $"{Plural(verdict.Offsite.Count, "repository", "repositories")} marked off-site" : "no repository holding it is marked \"offsite\": true in every zone entry for it"));
        text.Append(Line("1 immutable", verdict.Immutable, $"{Plural(verdict.Immutable.Count, "repository", "repositories")} keeping it under COMPLIANCE until its retain-until"));
        text.Append(Line("0 errors", verdict.Errors, unclean.Count == 0 ? "the last verification of every zone was clean" : string.Join("; ", unclean)));
        text.Append($"3-2-1-1-0: {(verdict.Met ? "met" : "NOT met")}\n");
        return text.ToString();
    }

    internal static string ToJson(IReadOnlyList<ZoneStatus> zones, ResilienceVerdict verdict, DateTimeOffset now) => JsonSerializer.Serialize(
        new StatusJson(
            verdict.Met,
            Snapshot(verdict.Newest, now),
            verdict.Holding,
            [.. verdict.SameRepositories.Select(same => new SameRepositoryJson(same.RepositoryId, same.Zones, same.OffsiteDisagrees))],
            verdict.Rules.ToDictionary(r => r.Name, r => new RuleJson(r.Result.Count, r.Result.Required, r.Result.Met)),
            [.. zones.Select(zone => Zone(zone, now))]),
        CliJsonContext.Output.StatusJson);

    private static ZoneStatusJson Zone(ZoneStatus zone, DateTimeOffset now) => new(
        zone.Name,
        zone.Repository,
        zone.RepositoryId,
        zone.Medium,
        zone.Offsite,
        zone.Readable,
        zone.Error,
        zone.SnapshotCount,
        Snapshot(zone.Newest, now),
        zone.Lock is { } lockStatus ? new LockJson(lockStatus.Mode, lockStatus.RetainUntil, lockStatus.Covers) : null,
        zone.LastVerification is { } v
            ? new VerificationJson(
                v.Time,
                (long)(now - v.Time).TotalSeconds,
                v.Clean,
                v.Errors,
                v.Warnings,
                v.Snapshots,
                v.Packs,
                v.PacksRead,
                v.ReadData,
                v.ReadDataFraction,
                v.LockCoverageChecked,
                v.Hostname,
                v.Program,
                zone.VerificationRecordedIn)
            : null);

    private static StatusSnapshotJson? Snapshot(NewestSnapshot? snapshot, DateTimeOffset now) => snapshot is null
        ? null
        : new StatusSnapshotJson(snapshot.Id.ToString(), snapshot.Time, (long)(now - snapshot.Time).TotalSeconds, snapshot.Hostname, snapshot.RetainUntil);

    private static string Line(string rule, RuleResult result, string detail) => $"{rule}: {(result.Met ? "yes" : "NO")} ({detail})\n";

    private static string LockText(LockStatus? status) => status switch
    {
        null => "-",
        { Mode: "not-immutable" } => "not immutable",
        { Mode: "none" } => "NONE",
        { Covers: true, RetainUntil: { } until } => $"{status.Mode} until {TimeText.Utc(until)}",
        { RetainUntil: { } until } => $"{status.Mode} until {TimeText.Utc(until)}, TOO SHORT",
        _ => status.Mode,
    };

    private static string VerificationText(ZoneStatus zone) => zone.LastVerification switch
    {
        null => "not verified",
        { Clean: true } => "clean",
        { } v => $"{Plural(v.Errors, "error")}",
    };

    private static string ReadText(Backup.Verifying.VerificationRecord record) => record.ReadData switch
    {
        "none" => "no data",
        "all" => "all data",
        _ => $"{record.ReadDataFraction.ToString("P0", CultureInfo.InvariantCulture)} of packs",
    };

    /// <summary>A rough age for people: the largest whole unit (minutes, hours or days).</summary>
    internal static string Age(TimeSpan age) => age switch
    {
        { TotalMinutes: < 1 } => "<1m",
        { TotalHours: < 1 } => $"{(int)age.TotalMinutes}m",
        { TotalDays: < 2 } => $"{(int)age.TotalHours}h",
        _ => $"{(int)age.TotalDays}d",
    };

    private static string Plural(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";

    private static string Plural(int count, string noun, string nouns) => $"{count} {(count == 1 ? noun : nouns)}";
}
