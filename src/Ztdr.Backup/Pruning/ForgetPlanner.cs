using System.Globalization;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Snapshots;

namespace Ztdr.Backup.Pruning;

/// <summary>One snapshot's verdict: kept (with every rule that keeps it) or to be forgotten.</summary>
internal sealed record ForgetDecision(ObjectId Id, Snapshot Snapshot, bool Keep, IReadOnlyList<string> Reasons);

/// <summary>The snapshots sharing one group key, newest first, with their verdicts.</summary>
internal sealed record ForgetGroup(string Key, IReadOnlyList<ForgetDecision> Decisions);

/// <summary>
/// Applies a <see cref="KeepPolicy"/> the way restic's <c>forget</c> does, so its users' policies mean the same
/// here: snapshots are split into groups (host and paths by default), each group is walked newest first, and a
/// snapshot is kept when any rule still wants it. A period rule keeps the newest snapshot of each period and counts
/// down; when snapshots run out before a rule's count does, the oldest snapshot is kept too ("oldest daily
/// snapshot"), which keeps the longest history the count allows. Periods are judged in <c>zone</c>'s local time, as
/// restic judges them in the snapshot's own zone.
/// </summary>
internal static class ForgetPlanner
{
    public static IReadOnlyList<ForgetGroup> Plan(
        IReadOnlyList<(ObjectId Id, Snapshot Snapshot)> snapshots, KeepPolicy policy, SnapshotGrouping grouping, TimeZoneInfo zone, DateTimeOffset now)
    {
        return [.. snapshots
            .GroupBy(s => GroupKey(s.Snapshot, grouping), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ForgetGroup(g.Key, Apply([.. g], policy, zone, now)))];
    }

    /// <summary>The verdicts for one group, newest first.</summary>
    public static IReadOnlyList<ForgetDecision> Apply(IReadOnlyList<(ObjectId Id, Snapshot Snapshot)> group, KeepPolicy policy, TimeZoneInfo zone, DateTimeOffset now)
    {
        var list = group
            .OrderByDescending(s => s.Snapshot.Time)
            .ThenBy(s => s.Id.ToString(), StringComparer.Ordinal)
            .ToList();
        if (list.Count == 0)
        {
            return [];
        }

        Bucket[] buckets =
        [
            new(policy.Last, (_, nr) => nr, "last snapshot"),
            new(policy.Hourly, (t, _) => (t.Year * 1_000_000) + (t.Month * 10_000) + (t.Day * 100) + t.Hour, "hourly snapshot"),
            new(policy.Daily, (t, _) => (t.Year * 10_000) + (t.Month * 100) + t.Day, "daily snapshot"),
            new(policy.Weekly, (t, _) => (ISOWeek.GetYear(t) * 100) + ISOWeek.GetWeekOfYear(t), "weekly snapshot"),
            new(policy.Monthly, (t, _) => (t.Year * 100) + t.Month, "monthly snapshot"),
            new(policy.Yearly, (t, _) => t.Year, "yearly snapshot"),
        ];

        // Relative to the newest snapshot that is not in the future, so a clock-skewed snapshot cannot expire the rest.
        var notFuture = list.Where(s => s.Snapshot.Time < now).Select(s => s.Snapshot.Time).ToList();
        DateTimeOffset? withinCutoff = policy.Within is { IsZero: false } within && notFuture.Count > 0 ? within.Before(notFuture.Max()) : null;

        var decisions = new List<ForgetDecision>(list.Count);
        for (var nr = 0; nr < list.Count; nr++)
        {
            var (id, snapshot) = list[nr];
            var reasons = new List<string>();
            foreach (var tags in policy.Tags)
            {
                if (tags.All(snapshot.Tags.Contains))
                {
                    reasons.Add($"has tags [{string.Join(", ", tags)}]");
                }
            }

            if (policy.Within is { IsZero: false } duration && (withinCutoff is null || snapshot.Time > withinCutoff))
            {
                reasons.Add($"within {duration}");
            }

            var local = TimeZoneInfo.ConvertTime(snapshot.Time, zone).DateTime;
            var oldest = nr == list.Count - 1;
            foreach (var bucket in buckets)
            {
                if (bucket.Count == 0)
                {
                    continue;
                }

                var value = bucket.Period(local, nr);
                if (value != bucket.LastValue || oldest)
                {
                    reasons.Add(value == bucket.LastValue ? "oldest " + bucket.Reason : bucket.Reason);
                    bucket.LastValue = value;
                    if (bucket.Count > 0)
                    {
                        bucket.Count--;
                    }
                }
            }

            decisions.Add(new ForgetDecision(id, snapshot, reasons.Count > 0, reasons));
        }

        return decisions;
    }

    /// <summary>A readable group key, e.g. <c>host [web1], paths [/etc, /home]</c>; "" when not grouped.</summary>
    public static string GroupKey(Snapshot snapshot, SnapshotGrouping grouping)
    {
        var parts = new List<string>();
        if (grouping.HasFlag(SnapshotGrouping.Host))
        {
            parts.Add($"host [{snapshot.Hostname}]");
        }

        if (grouping.HasFlag(SnapshotGrouping.Paths))
        {
            parts.Add($"paths [{string.Join(", ", snapshot.Paths.Order(StringComparer.Ordinal))}]");
        }

        if (grouping.HasFlag(SnapshotGrouping.Tags))
        {
            parts.Add($"tags [{string.Join(", ", snapshot.Tags.Order(StringComparer.Ordinal))}]");
        }

        return string.Join(", ", parts);
    }

    /// <summary>One period rule while walking a group: how many periods it still wants and the last period it kept.</summary>
    private sealed class Bucket(int count, Func<DateTime, int, int> period, string reason)
    {
        public int Count { get; set; } = count;

        public Func<DateTime, int, int> Period { get; } = period;

        public string Reason { get; } = reason;

        /// <summary>-1 before the first kept snapshot; periods and positions are never negative.</summary>
        public int LastValue { get; set; } = -1;
    }
}
