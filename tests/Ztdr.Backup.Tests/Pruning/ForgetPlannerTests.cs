using Ztdr.Backup.Crypto;
using Ztdr.Backup.Pruning;
using Ztdr.Backup.Snapshots;

namespace Ztdr.Backup.Tests.Pruning;

/// <summary>The keep rules against restic's documented meaning; periods in UTC unless a test says otherwise.</summary>
public sealed class ForgetPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Apply_DailyWeeklyMonthlyYearly_KeepsNewestOfEachPeriodAndTheOldestWhileYearsRemain()
    {
        // Restic's example: daily backups, --keep-daily 7 --keep-weekly 5 --keep-monthly 12 --keep-yearly 75. The
        // dailies already cover part of the newest weeks; 75 years are more than the history, so the oldest is kept too.
        var snapshots = Daily(new DateTime(2025, 1, 1), new DateTime(2026, 3, 31));
        var policy = new KeepPolicy { Daily = 7, Weekly = 5, Monthly = 12, Yearly = 75 };

        var decisions = ForgetPlanner.Apply(snapshots, policy, TimeZoneInfo.Utc, Now);

        var kept = decisions.Where(d => d.Keep).Select(d => d.Snapshot.Time.UtcDateTime.Date).Order().ToList();
        DateTime[] expected =
        [
            new(2025, 1, 1), new(2025, 4, 30), new(2025, 5, 31), new(2025, 6, 30), new(2025, 7, 31), new(2025, 8, 31),
            new(2025, 9, 30), new(2025, 10, 31), new(2025, 11, 30), new(2025, 12, 31), new(2026, 1, 31), new(2026, 2, 28),
            new(2026, 3, 8), new(2026, 3, 15), new(2026, 3, 22), new(2026, 3, 25), new(2026, 3, 26), new(2026, 3, 27),
            new(2026, 3, 28), new(2026, 3, 29), new(2026, 3, 30), new(2026, 3, 31),
        ];
        Assert.Equal(expected, kept);
        Assert.Equal(["oldest yearly snapshot"], Reasons(decisions, new DateTime(2025, 1, 1)));
        Assert.Equal(["monthly snapshot", "yearly snapshot"], Reasons(decisions, new DateTime(2025, 12, 31)));
        Assert.Equal(["daily snapshot", "weekly snapshot", "monthly snapshot", "yearly snapshot"], Reasons(decisions, new DateTime(2026, 3, 31)));
        Assert.Empty(Reasons(decisions, new DateTime(2026, 3, 24)));
        Assert.Equal(snapshots.Count, decisions.Count);
    }

    [Fact]
    public void Apply_KeepLast_KeepsNewestN()
    {
        var snapshots = Daily(new DateTime(2026, 1, 1), new DateTime(2026, 1, 5));

        var decisions = ForgetPlanner.Apply(snapshots, new KeepPolicy { Last = 3 }, TimeZoneInfo.Utc, Now);

        Assert.Equal([true, true, true, false, false], decisions.Select(d => d.Keep));
        Assert.Equal(new DateTime(2026, 1, 5), decisions[0].Snapshot.Time.UtcDateTime.Date);
        Assert.All(decisions.Take(3), d => Assert.Equal(["last snapshot"], d.Reasons));
    }

    [Fact]
    public void Apply_KeepLastMoreThanThereAre_KeepsAll()
    {
        var snapshots = Daily(new DateTime(2026, 1, 1), new DateTime(2026, 1, 3));

        Assert.All(ForgetPlanner.Apply(snapshots, new KeepPolicy { Last = 10 }, TimeZoneInfo.Utc, Now), d => Assert.True(d.Keep));
    }

    [Fact]
    public void Apply_KeepHourly_KeepsNewestOfEachHour()
    {
        var day = new DateTimeOffset(2026, 1, 1, 10, 5, 0, TimeSpan.Zero);
        var snapshots = new[] { day, day.AddMinutes(30), day.AddMinutes(60), day.AddMinutes(90) }.Select(At).ToList();

        var decisions = ForgetPlanner.Apply(snapshots, new KeepPolicy { Hourly = 2 }, TimeZoneInfo.Utc, Now);

        // Newest first: 11:35 (hour 11), 11:05, 10:35 (hour 10), 10:05 (count used up, so not kept as the oldest).
        Assert.Equal([true, false, true, false], decisions.Select(d => d.Keep));
    }

    [Fact]
    public void Apply_KeepDailyUnlimited_KeepsOnePerDayForEveryDay()
    {
        var first = new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
        var snapshots = Enumerable.Range(0, 10).Select(i => At(first.AddHours(i * 8))).ToList();

        var decisions = ForgetPlanner.Apply(snapshots, new KeepPolicy { Daily = KeepPolicy.Unlimited }, TimeZoneInfo.Utc, Now);

        // 08:00, 16:00, 00:00 each day: the newest of each of the four days, and the oldest (08:00 on day one) too.
        var kept = decisions.Where(d => d.Keep).Select(d => d.Snapshot.Time).Order().ToList();
        Assert.Equal([first, first.AddHours(8), first.AddHours(32), first.AddHours(56), first.AddHours(72)], kept);
    }

    [Fact]
    public void Apply_KeepWithin_IsRelativeToNewestSnapshotNotNow()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var snapshots = new[] { start, start.AddDays(1), start.AddDays(2.5), start.AddDays(3) }.Select(At).ToList();

        var decisions = ForgetPlanner.Apply(snapshots, new KeepPolicy { Within = KeepDuration.Parse("2d") }, TimeZoneInfo.Utc, start.AddDays(100));

        // Newest is day 3, so "within 2d" keeps what is newer than day 1 (day 1 itself is not newer).
        Assert.Equal([true, true, false, false], decisions.Select(d => d.Keep));
        Assert.Equal(["within 2d"], decisions[0].Reasons);
    }

    [Fact]
    public void Apply_KeepWithin_SnapshotInTheFutureDoesNotMoveTheWindow()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var snapshots = new[] { start, start.AddDays(1), start.AddDays(400) }.Select(At).ToList();

        var decisions = ForgetPlanner.Apply(snapshots, new KeepPolicy { Within = KeepDuration.Parse("2d") }, TimeZoneInfo.Utc, start.AddDays(2));

        Assert.All(decisions, d => Assert.True(d.Keep));
    }

    [Fact]
    public void Apply_KeepTag_KeepsOnlySnapshotsWithEveryTagOfAList()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        List<(ObjectId, Snapshot)> snapshots =
        [
            At(start, ["a"]), At(start.AddHours(1), ["a", "b"]), At(start.AddHours(2), ["b", "c", "a"]), At(start.AddHours(3), []),
        ];

        var decisions = ForgetPlanner.Apply(snapshots, new KeepPolicy { Tags = [["a", "b"]] }, TimeZoneInfo.Utc, Now);

        Assert.Equal([false, true, true, false], decisions.Select(d => d.Keep));
        Assert.Equal(["has tags [a, b]"], decisions[1].Reasons);
    }

    [Fact]
    public void Apply_KeepDaily_JudgesDaysInTheGivenZone()
    {
        var d1 = new DateTimeOffset(2026, 1, 1, 22, 0, 0, TimeSpan.Zero);
        var snapshots = new[] { d1, d1.AddMinutes(90), d1.AddMinutes(150) }.Select(At).ToList();
        var plusTwo = TimeZoneInfo.CreateCustomTimeZone("UTC+2", TimeSpan.FromHours(2), "UTC+2", "UTC+2");

        var utc = ForgetPlanner.Apply(snapshots, new KeepPolicy { Daily = 2 }, TimeZoneInfo.Utc, Now);
        var local = ForgetPlanner.Apply(snapshots, new KeepPolicy { Daily = 2 }, plusTwo, Now);

        // UTC: 00:30 on day 2, 23:30 on day 1; count used up. UTC+2: all on one day, so the newest and the oldest.
        Assert.Equal([true, true, false], utc.Select(d => d.Keep));
        Assert.Equal([true, false, true], local.Select(d => d.Keep));
        Assert.Equal(["oldest daily snapshot"], local[2].Reasons);
    }

    [Fact]
    public void Plan_GroupsByHostAndPaths_PolicyAppliesPerGroup()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        List<(ObjectId, Snapshot)> snapshots =
        [
            At(start, [], "web1", "/etc"), At(start.AddHours(1), [], "web1", "/etc"),
            At(start.AddHours(2), [], "web2", "/etc"), At(start.AddHours(3), [], "web1", "/home"),
        ];

        var groups = ForgetPlanner.Plan(snapshots, new KeepPolicy { Last = 1 }, SnapshotGrouping.Host | SnapshotGrouping.Paths, TimeZoneInfo.Utc, Now);

        Assert.Equal(["host [web1], paths [/etc]", "host [web1], paths [/home]", "host [web2], paths [/etc]"], groups.Select(g => g.Key));
        Assert.Equal([true, false], groups[0].Decisions.Select(d => d.Keep));
        Assert.Equal(3, groups.SelectMany(g => g.Decisions).Count(d => d.Keep));

        var one = Assert.Single(ForgetPlanner.Plan(snapshots, new KeepPolicy { Last = 1 }, SnapshotGrouping.None, TimeZoneInfo.Utc, Now));
        Assert.Equal(1, one.Decisions.Count(d => d.Keep));
    }

    [Theory]
    [InlineData("1y5m7d2h", 1, 5, 7, 2)]
    [InlineData("2d", 0, 0, 2, 0)]
    [InlineData("36h", 0, 0, 0, 36)]
    public void KeepDuration_Parse_ReadsEachUnit(string text, int years, int months, int days, int hours)
    {
        var duration = KeepDuration.Parse(text);

        Assert.Equal(new KeepDuration(years, months, days, hours), duration);
        Assert.Equal(text, duration.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("d")]
    [InlineData("1x")]
    [InlineData("1d-2h")]
    public void KeepDuration_Parse_Malformed_Throws(string text) => Assert.Throws<FormatException>(() => KeepDuration.Parse(text));

    [Fact]
    public void KeepDuration_Before_IsCalendarWise()
    {
        var march31 = new DateTimeOffset(2026, 3, 31, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2026, 2, 28, 10, 0, 0, TimeSpan.Zero), KeepDuration.Parse("1m2h").Before(march31));
    }

    private static List<(ObjectId, Snapshot)> Daily(DateTime first, DateTime last)
    {
        var list = new List<(ObjectId, Snapshot)>();
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            list.Add(At(new DateTimeOffset(day.AddHours(12), TimeSpan.Zero)));
        }

        return list;
    }

    private static (ObjectId, Snapshot) At(DateTimeOffset time) => At(time, []);

    private static (ObjectId, Snapshot) At(DateTimeOffset time, IReadOnlyList<string> tags, string host = "web1", string path = "/etc") =>
        (ObjectId.NewRandom(), new Snapshot(time, host, "root", [path], tags, new BlobId(new byte[32]), null, time.AddDays(30), "test", new SnapshotSummary(0, 0, 0, 0)));

    private static IReadOnlyList<string> Reasons(IReadOnlyList<ForgetDecision> decisions, DateTime day) =>
        decisions.Single(d => d.Snapshot.Time.UtcDateTime.Date == day).Reasons;
}
