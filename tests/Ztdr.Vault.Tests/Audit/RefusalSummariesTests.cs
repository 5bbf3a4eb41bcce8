using Ztdr.Vault.Audit;

namespace Ztdr.Vault.Tests.Audit;

/// <summary>
/// Issue 12, item 2: refusals of requests that proved no key are audited as one sample plus one summary per source,
/// outcome and minute, not one durable record each. Time is passed in; no clock, no sleeps.
/// </summary>
public sealed class RefusalSummariesTests
{
    private static readonly DateTimeOffset Minute = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private const string Source = "192.0.2.7";
    private const string Denied = "denied:AccessDenied";

    [Fact]
    public void Count_FloodFromOneSource_OnlyTheFirstIsASample()
    {
        var summaries = new RefusalSummaries();

        var samples = Enumerable.Range(0, 10_000).Count(i => summaries.Count(Minute.AddMilliseconds(i), Source, Denied, "req-" + i));

        Assert.Equal(1, samples);
        Assert.Equal(1, summaries.PendingGroups);
    }

    [Fact]
    public void Count_OtherOutcomeOrSourceOrMinute_IsASampleOfItsOwn()
    {
        var summaries = new RefusalSummaries();
        Assert.True(summaries.Count(Minute, Source, Denied, "a"));

        Assert.True(summaries.Count(Minute, Source, "denied:SlowDown", "b"));
        Assert.True(summaries.Count(Minute, "198.51.100.1", Denied, "c"));
        Assert.True(summaries.Count(Minute.AddMinutes(1), Source, Denied, "d"));
        Assert.False(summaries.Count(Minute.AddSeconds(59.999), Source, Denied, "e"));
    }

    [Fact]
    public void Take_MinuteNotOver_ReturnsNothingAndKeepsCounting()
    {
        var summaries = new RefusalSummaries();
        summaries.Count(Minute, Source, Denied, "a");
        summaries.Count(Minute.AddSeconds(1), Source, Denied, "b");

        Assert.Empty(summaries.Take(Minute.AddSeconds(59)));
        Assert.False(summaries.Count(Minute.AddSeconds(59), Source, Denied, "c"));
    }

    [Fact]
    public void Take_MinuteOver_OneSummaryCountingWhatWasNotRecordedIndividually()
    {
        var summaries = new RefusalSummaries();
        for (var i = 0; i < 713; i++)
        {
            summaries.Count(Minute.AddMilliseconds(i * 50), Source, Denied, "req-" + i);
        }

        var summary = Assert.Single(summaries.Take(Minute.AddMinutes(1)));

        Assert.Equal(new AuditEvent(Minute.AddMinutes(1), "unauthenticated", "audit:summary", null, "more=712 window=2026-12-07T12:00:00Z", null, Denied, Source, "req-0"), summary);
        Assert.Equal(0, summaries.PendingGroups);
        Assert.Empty(summaries.Take(Minute.AddMinutes(2)));
    }

    [Fact]
    public void Take_GroupWithOnlyItsSample_NeedsNoSummary()
    {
        var summaries = new RefusalSummaries();
        summaries.Count(Minute, Source, Denied, "a");

        Assert.Empty(summaries.Take(Minute.AddMinutes(5)));
        Assert.Equal(0, summaries.PendingGroups);
    }

    [Fact]
    public void Take_All_AtShutdown_IncludesTheCurrentMinute()
    {
        var summaries = new RefusalSummaries();
        summaries.Count(Minute, Source, Denied, "a");
        summaries.Count(Minute, Source, Denied, "b");

        var summary = Assert.Single(summaries.Take(Minute.AddSeconds(10), all: true));

        Assert.Equal("more=1 window=2026-12-07T12:00:00Z", summary.Key);
    }

    [Fact]
    public void Count_MoreSourcesThanTheCap_CountsTheRestUnderOverflowWithoutSamples()
    {
        // Rotating addresses (an IPv6 /64 each) buys no more records than the cap: memory and disk stay bounded.
        var summaries = new RefusalSummaries();
        var samples = 0;
        for (var i = 0; i < RefusalSummaries.MaxGroupsPerWindow + 1000; i++)
        {
            samples += summaries.Count(Minute, $"2001:db8:{i:x}::/64", Denied, "req-" + i) ? 1 : 0;
        }

        var taken = summaries.Take(Minute.AddMinutes(1));

        Assert.Equal(RefusalSummaries.MaxGroupsPerWindow, samples);
        var overflow = Assert.Single(taken);
        Assert.Equal("*", overflow.Source);
        Assert.Equal("more=1000 window=2026-12-07T12:00:00Z", overflow.Key);
        Assert.Null(overflow.RequestId);
    }
}
