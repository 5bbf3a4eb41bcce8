using System.Net;
using Ztdr.Vault.Identity;

namespace Ztdr.Vault.Tests.Identity;

public sealed class AuthFailureLimiterTests
{
    private const string Source = "192.0.2.7";

    [Fact]
    public void RecordFailure_WithinAllowance_IsNotDelayed()
    {
        var limiter = new AuthFailureLimiter(new ManualClock());
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(TimeSpan.Zero, limiter.RecordFailure(Source));
        }

        Assert.False(limiter.IsThrottled(Source));
    }

    [Fact]
    public void RecordFailure_PastAllowance_DelaysExponentiallyUpToTheCap()
    {
        var limiter = new AuthFailureLimiter(new ManualClock());
        for (var i = 0; i < 5; i++)
        {
            limiter.RecordFailure(Source);
        }

        var delays = Enumerable.Range(0, 8).Select(_ => limiter.RecordFailure(Source).TotalMilliseconds).ToArray();
        Assert.Equal(new double[] { 250, 500, 1000, 2000, 4000, 5000, 5000, 5000 }, delays);
    }

    [Fact]
    public void RecordFailure_OtherSource_HasItsOwnAllowance()
    {
        var limiter = new AuthFailureLimiter(new ManualClock());
        for (var i = 0; i < 10; i++)
        {
            limiter.RecordFailure(Source);
        }

        Assert.Equal(TimeSpan.Zero, limiter.RecordFailure("198.51.100.1"));
    }

    [Fact]
    public void IsThrottled_OneKeyFloodedFromASource_LeavesOtherKeysAndUnknownKeysOfThatSourceAlone()
    {
        // Issue 12, item 1: failures against one key id must not lock out another key sharing the address.
        var limiter = new AuthFailureLimiter(new ManualClock());
        for (var i = 0; i <= limiter.RefuseAbove * 3; i++)
        {
            limiter.RecordFailure(Source, "ZVBACKUPKEY000000001");
        }

        Assert.True(limiter.IsThrottled(Source, "ZVBACKUPKEY000000001"));
        Assert.False(limiter.IsThrottled(Source, "ZVREADERKEY000000002"));
        Assert.False(limiter.IsThrottled(Source, accessKeyId: null));
        Assert.Equal(TimeSpan.Zero, limiter.RecordFailure(Source, "ZVREADERKEY000000002"));
    }

    [Fact]
    public void IsThrottled_UnknownKeysFloodedFromASource_LeavesKnownKeysOfThatSourceAlone()
    {
        var limiter = new AuthFailureLimiter(new ManualClock());
        for (var i = 0; i <= limiter.RefuseAbove; i++)
        {
            limiter.RecordFailure(Source, accessKeyId: null);
        }

        Assert.True(limiter.IsThrottled(Source, accessKeyId: null));
        Assert.False(limiter.IsThrottled(Source, "ZVBACKUPKEY000000001"));
    }

    [Fact]
    public void RecordFailure_SameKeyFromAnotherSource_HasItsOwnAllowance()
    {
        var limiter = new AuthFailureLimiter(new ManualClock());
        for (var i = 0; i < 10; i++)
        {
            limiter.RecordFailure(Source, "ZVBACKUPKEY000000001");
        }

        Assert.Equal(TimeSpan.Zero, limiter.RecordFailure("198.51.100.1", "ZVBACKUPKEY000000001"));
    }

    [Fact]
    public void RecordFailure_AfterQuietWindow_IsFreeAgain()
    {
        var clock = new ManualClock();
        var limiter = new AuthFailureLimiter(clock);
        for (var i = 0; i < 8; i++)
        {
            limiter.RecordFailure(Source);
        }

        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(TimeSpan.Zero, limiter.RecordFailure(Source));
    }

    [Fact]
    public void RecordFailure_SlowSteadyGuessing_StaysWithinAllowanceOnlyAtTheDrainRate()
    {
        // One failure every 12 s is exactly 5 per minute: never delayed. One every 6 s is twice that: delayed soon.
        var clock = new ManualClock();
        var slow = new AuthFailureLimiter(clock);
        var fast = new AuthFailureLimiter(clock);
        var slowDelays = new List<TimeSpan>();
        var fastDelays = new List<TimeSpan>();
        for (var i = 0; i < 40; i++)
        {
            slowDelays.Add(slow.RecordFailure(Source));
            if (i % 2 == 0)
            {
                fastDelays.Add(fast.RecordFailure(Source));
            }

            fastDelays.Add(fast.RecordFailure(Source));
            clock.Advance(TimeSpan.FromSeconds(12));
        }

        Assert.All(slowDelays, d => Assert.Equal(TimeSpan.Zero, d));
        Assert.Contains(fastDelays, d => d > TimeSpan.Zero);
    }

    [Fact]
    public void IsThrottled_FarOverAllowance_IsTrueUntilTheBucketDrains()
    {
        var clock = new ManualClock();
        var limiter = new AuthFailureLimiter(clock);
        for (var i = 0; i <= limiter.RefuseAbove; i++)
        {
            limiter.RecordFailure(Source);
        }

        Assert.True(limiter.IsThrottled(Source));
        Assert.False(limiter.IsThrottled("198.51.100.1"));
        clock.Advance(TimeSpan.FromSeconds(13));
        Assert.False(limiter.IsThrottled(Source));
    }

    [Fact]
    public void IsThrottled_DoesNotCountAsAFailure()
    {
        var limiter = new AuthFailureLimiter(new ManualClock());
        for (var i = 0; i < 100; i++)
        {
            Assert.False(limiter.IsThrottled(Source));
        }

        Assert.Equal(TimeSpan.Zero, limiter.RecordFailure(Source));
    }

    [Fact]
    public void RecordFailure_ManySources_TracksAtMostTheCapAndForgetsTheOldest()
    {
        var limiter = new AuthFailureLimiter(new ManualClock(), maxSources: 100);
        for (var i = 0; i < 6; i++)
        {
            limiter.RecordFailure("old");
        }

        for (var i = 0; i < 1000; i++)
        {
            limiter.RecordFailure("10.0." + (i / 256) + "." + (i % 256));
        }

        Assert.Equal(100, limiter.TrackedSources);
        Assert.Equal(TimeSpan.Zero, limiter.RecordFailure("old"));
    }

    [Fact]
    public void RecordFailure_RecentlySeenSource_SurvivesEviction()
    {
        var limiter = new AuthFailureLimiter(new ManualClock(), maxSources: 10);
        for (var i = 0; i < 100; i++)
        {
            limiter.RecordFailure(Source);
            limiter.RecordFailure("other-" + i);
        }

        Assert.True(limiter.IsThrottled(Source));
    }

    [Fact]
    public void RecordFailure_CustomSettings_AreHonoured()
    {
        var limiter = new AuthFailureLimiter(new ManualClock(), freeFailures: 1, window: TimeSpan.FromSeconds(10), maxDelay: TimeSpan.FromMilliseconds(300));
        Assert.Equal(TimeSpan.Zero, limiter.RecordFailure(Source));
        Assert.Equal(TimeSpan.FromMilliseconds(250), limiter.RecordFailure(Source));
        Assert.Equal(TimeSpan.FromMilliseconds(300), limiter.RecordFailure(Source));
    }

    [Theory]
    [InlineData(null, "local")]
    [InlineData("192.0.2.7", "192.0.2.7")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    public void SourceOf_Address_GroupsIPv6ByPrefix(string? address, string expected) =>
        Assert.Equal(expected, AuthFailureLimiter.SourceOf(address is null ? null : IPAddress.Parse(address)));
}
