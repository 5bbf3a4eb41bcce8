using Ztdr.Vault.Identity;

namespace Ztdr.Vault.Tests.Identity;

public sealed class KeyWriteRateTests
{
    [Fact]
    public void TryAdmit_BurstSpent_RefusedWithRetryAfterUntilRefilled()
    {
        var time = new ManualClock();
        var rate = new KeyWriteRate(1000, time);

        Assert.True(rate.TryAdmit("k", 6000, out _));
        Assert.True(rate.TryAdmit("k", 6000, out _)); // 4,000 left was positive; charged in full, now -2,000
        Assert.False(rate.TryAdmit("k", 1, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(3), retryAfter);

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(rate.TryAdmit("k", 1, out _)); // exactly 0: not positive yet
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(rate.TryAdmit("k", 1, out _));
    }

    [Fact]
    public void TryAdmit_OneKeyFlooding_AnotherKeyUnaffected()
    {
        var time = new ManualClock();
        var rate = new KeyWriteRate(1000, time);
        while (rate.TryAdmit("flooder", 5000, out _))
        {
        }

        Assert.True(rate.TryAdmit("other", 9000, out _));
    }

    [Fact]
    public void TryAdmit_IdleForLong_RefillsOnlyToTheBurst()
    {
        var time = new ManualClock();
        var rate = new KeyWriteRate(1000, time);

        time.Advance(TimeSpan.FromHours(1));

        Assert.True(rate.TryAdmit("k", KeyWriteRate.BurstSeconds * 1000, out _));
        Assert.False(rate.TryAdmit("k", 1, out _));
    }
}
