using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Pruning;
using Ztdr.Cli.Output;
using Ztdr.Cli.Progress;

namespace Ztdr.Cli.Commands;

/// <summary>
/// <c>ztdr forget</c>: marks snapshots forgotten, by restic's keep rules or by id. Writes one
/// <c>forgotten/&lt;id&gt;</c> marker (locked like every object) and deletes nothing: the snapshots stay locked in
/// storage until their retention ends, and <c>ztdr prune</c> (maintenance key) deletes them and their data then.
/// </summary>
internal static class ForgetCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var snapshots = new Argument<string[]>("SNAPSHOT")
        {
            Description = "Snapshots to forget: ids, unique prefixes (8+ hex digits) or 'latest'; instead of --keep-* rules",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var last = Count("--keep-last", "Keep the newest N snapshots");
        var hourly = Count("--keep-hourly", "Keep the newest snapshot of each of the newest N hours that have one");
        var daily = Count("--keep-daily", "Keep the newest snapshot of each of the newest N days that have one");
        var weekly = Count("--keep-weekly", "Keep the newest snapshot of each of the newest N ISO weeks that have one");
        var monthly = Count("--keep-monthly", "Keep the newest snapshot of each of the newest N months that have one");
        var yearly = Count("--keep-yearly", "Keep the newest snapshot of each of the newest N years that have one");
        var within = new Option<string?>("--keep-within") { Description = "Keep snapshots newer than DURATION before the newest one, e.g. 1y5m7d2h (m = months)" };
        var tags = new Option<string[]>("--keep-tag") { Description = "Keep snapshots that have every tag of this comma-separated list (repeatable)" };
        var groupBy = new Option<string>("--group-by")
        {
            Description = "Apply the rules per group of snapshots sharing these: host, paths, tags (comma-separated; '' for one group)",
            DefaultValueFactory = _ => "host,paths",
        };
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Show what would be forgotten; write nothing" };
        var json = new Option<bool>("--json") { Description = "Print the decisions and what was forgotten as JSON" };
        var command = new Command("forget", "Mark snapshots forgotten (by keep rules or id); deletes nothing, 'ztdr prune' frees space once locks end")
        {
            snapshots, last, hourly, daily, weekly, monthly, yearly, within, tags, groupBy, dryRun, json,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, parse, ElapsedLine.Around(context, parse, async () =>
        {
            var policy = new KeepPolicy
            {
                Last = ParseCount(parse.GetValue(last), "--keep-last"),
                Hourly = ParseCount(parse.GetValue(hourly), "--keep-hourly"),
                Daily = ParseCount(parse.GetValue(daily), "--keep-daily"),
                Weekly = ParseCount(parse.GetValue(weekly), "--keep-weekly"),
                Monthly = ParseCount(parse.GetValue(monthly), "--keep-monthly"),
                Yearly = ParseCount(parse.GetValue(yearly), "--keep-yearly"),
                Within = ParseWithin(parse.GetValue(within)),
                Tags = [.. (parse.GetValue(tags) ?? []).Select(ParseTags)],
            };
            var grouping = ParseGrouping(parse.GetValue(groupBy)!);
            var references = parse.GetValue(snapshots) ?? [];
            if (references.Length > 0 && !policy.IsEmpty)
            {
                throw new CliException("give snapshot ids or --keep-* rules, not both");
            }

            if (references.Length == 0 && policy.IsEmpty)
            {
                throw new CliException("nothing to forget: give snapshot ids, or --keep-* rules (e.g. --keep-daily 7 --keep-weekly 5)");
            }

            var isDryRun = parse.GetValue(dryRun);
            var asJson = parse.GetValue(json);
            using var open = await OpenRepository.OpenAsync(global, parse, context, cancellationToken);
            List<ObjectId> toForget;
            IReadOnlyList<ForgetGroup> groups = [];
            if (references.Length > 0)
            {
                toForget = [];
                foreach (var reference in references)
                {
                    var (id, snapshot) = await open.Catalog.ResolveAsync(reference, cancellationToken);
                    toForget.Add(id);
                    if (!asJson)
                    {
                        await context.Out.WriteLineAsync($"forget {id.ToString()[..8]}  {TimeText.Utc(snapshot.Time)}  {snapshot.Hostname}  {string.Join(", ", snapshot.Paths)}");
                    }
                }
            }
            else
            {
                var all = await open.Catalog.ListAsync(cancellationToken);
                groups = ForgetPlanner.Plan(all, policy, grouping, context.Time.LocalTimeZone, context.Time.GetUtcNow());
                foreach (var group in asJson ? Enumerable.Empty<ForgetGroup>() : groups)
                {
                    await WriteGroupAsync(context, group);
                }

                toForget = [.. groups.SelectMany(g => g.Decisions).Where(d => !d.Keep).Select(d => d.Id)];
            }

            toForget = [.. toForget.Distinct()];
            if (isDryRun)
            {
                if (asJson)
                {
                    await context.Out.WriteLineAsync(ToJson(dryRun: true, groups, toForget, marker: null, context.DurationSeconds));
                    return 0;
                }

                await context.Out.WriteLineAsync($"dry run: would forget {Plural(toForget.Count, "snapshot")}; nothing was written");
                return 0;
            }

            var marker = toForget.Count == 0 ? null : await open.Catalog.ForgetAsync(toForget, context.Time.GetUtcNow(), cancellationToken);
            if (asJson)
            {
                await context.Out.WriteLineAsync(ToJson(dryRun: false, groups, toForget, marker, context.DurationSeconds));
                return 0;
            }

            await context.Out.WriteLineAsync(marker is { } markerId
                ? $"forgot {Plural(toForget.Count, "snapshot")} (marker {markerId.ToString()[..8]}): hidden now, still locked in storage; 'ztdr prune' deletes them once their locks end"
                : "forgot nothing: no snapshot to forget");
            return 0;
        })));
        return command;
    }

    internal static string ToJson(bool dryRun, IReadOnlyList<ForgetGroup> groups, IReadOnlyList<ObjectId> forgotten, ObjectId? marker, double durationSeconds) => JsonSerializer.Serialize(
        new ForgetJson(
            dryRun,
            [.. groups.Select(g => new ForgetGroupJson(g.Key, [.. g.Decisions.Where(d => d.Keep).Select(Decision)], [.. g.Decisions.Where(d => !d.Keep).Select(Decision)]))],
            [.. forgotten.Select(id => id.ToString())],
            marker?.ToString())
        { DurationSeconds = durationSeconds },
        CliJsonContext.Output.ForgetJson);

    private static ForgetSnapshotJson Decision(ForgetDecision d) =>
        new(d.Id.ToString(), d.Snapshot.Time, d.Snapshot.Hostname, d.Snapshot.Paths, d.Snapshot.Tags, d.Reasons);

    /// <summary>restic's layout: per group, the kept snapshots with their reasons, then the ones to forget.</summary>
    private static async Task WriteGroupAsync(CliContext context, ForgetGroup group)
    {
        if (group.Key.Length > 0)
        {
            await context.Out.WriteLineAsync($"snapshots for {group.Key}:");
        }

        var keep = group.Decisions.Where(d => d.Keep).ToList();
        var remove = group.Decisions.Where(d => !d.Keep).ToList();
        foreach (var (title, decisions) in new[] { ($"keep {Plural(keep.Count, "snapshot")}:", keep), ($"forget {Plural(remove.Count, "snapshot")}:", remove) })
        {
            if (decisions.Count == 0)
            {
                continue;
            }

            await context.Out.WriteLineAsync(title);
            var rows = decisions.Select(d => (IReadOnlyList<string>)
            [
                d.Id.ToString()[..8],
                TimeText.Utc(d.Snapshot.Time),
                d.Snapshot.Hostname,
                string.Join(",", d.Snapshot.Tags),
                string.Join(", ", d.Reasons),
                string.Join(", ", d.Snapshot.Paths),
            ]).ToList();
            string[] header = ["ID", "Time", "Host", "Tags", "Reasons", "Paths"];
            if (SnapshotsCommand.IsTerminal(context))
            {
                SnapshotsCommand.WriteTerminalTable(context, header, rows);
            }
            else
            {
                await PlainTable.WriteAsync(context.Out, header, rows);
            }
        }

        await context.Out.WriteLineAsync();
    }

    private static Option<string?> Count(string name, string description) =>
        new(name) { Description = description + " ('unlimited' for all)" };

    /// <summary>A count of 0 or more, or "unlimited" (restic also accepts -1 for it).</summary>
    internal static int ParseCount(string? text, string option)
    {
        if (text is null)
        {
            return 0;
        }

        if (text.Equals("unlimited", StringComparison.OrdinalIgnoreCase) || text == "-1")
        {
            return KeepPolicy.Unlimited;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : throw new CliException($"{option} '{text}': use a count of 0 or more, or 'unlimited'");
    }

    internal static KeepDuration? ParseWithin(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return KeepDuration.Parse(text);
        }
        catch (FormatException e)
        {
            throw new CliException($"--keep-within: {e.Message}");
        }
    }

    internal static SnapshotGrouping ParseGrouping(string text)
    {
        var grouping = SnapshotGrouping.None;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            grouping |= part.ToLowerInvariant() switch
            {
                "host" => SnapshotGrouping.Host,
                "paths" => SnapshotGrouping.Paths,
                "tags" => SnapshotGrouping.Tags,
                _ => throw new CliException($"--group-by '{text}': '{part}' is not one of host, paths, tags"),
            };
        }

        return grouping;
    }

    private static IReadOnlyList<string> ParseTags(string text)
    {
        var list = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return list.Length > 0 ? list : throw new CliException("--keep-tag needs at least one tag");
    }

    private static string Plural(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";
}
