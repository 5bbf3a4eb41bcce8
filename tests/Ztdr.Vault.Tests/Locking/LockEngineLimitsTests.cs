using Ztdr.S3.Errors;
using Ztdr.Vault.Locking;
using static Ztdr.Vault.Tests.Locking.LockSpec;

namespace Ztdr.Vault.Tests.Locking;

/// <summary>Issue 12: the maximum retention, write-once names and quotas, as the lock engine decides them.</summary>
public sealed class LockEngineLimitsTests
{
    private static readonly QuotaUsage NoQuota = new(0, null);

    [Fact]
    public void CheckRetentionLimit_ExactlyTenYears_IsAllowed()
    {
        Assert.Null(LockEngine.CheckRetentionLimit(new Retention(LockMode.Compliance, Now.AddYears(10)), MaxRetention.Default, At(true)));
    }

    [Fact]
    public void CheckRetentionLimit_OneMillisecondPastTenYears_IsInvalidArgumentNamingTheDate()
    {
        var error = LockEngine.CheckRetentionLimit(new Retention(LockMode.Compliance, Now.AddYears(10).AddMilliseconds(1)), MaxRetention.Default, At(true));

        Assert.Equal(S3Errors.InvalidArgument, error!.Error);
        Assert.Contains("maximum retention of 10y", error.Message, StringComparison.Ordinal);
        Assert.Contains(new KeyValuePair<string, string>("ArgumentName", LockHeaders.RetainUntilDateHeader), error.Details);
    }

    [Theory]
    [InlineData(100, false)]
    [InlineData(1, true)]
    public void CheckRetentionLimit_YearsAheadInGovernanceToo_IsJudgedByDateAlone(int years, bool allowed)
    {
        var error = LockEngine.CheckRetentionLimit(new Retention(LockMode.Governance, Now.AddYears(years)), MaxRetention.Default, At(true));

        Assert.Equal(allowed, error is null);
    }

    [Fact]
    public void CheckRetentionLimit_TheLastDayOfYear9999_IsInvalidArgument()
    {
        var error = LockEngine.CheckRetentionLimit(new Retention(LockMode.Compliance, new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero)), MaxRetention.Default, At(true));

        Assert.Equal(S3Errors.InvalidArgument, error!.Error);
    }

    [Fact]
    public void CheckRetentionLimit_DaysLimit_CountsTwentyFourHourDays()
    {
        var max = new MaxRetention(30, null);

        Assert.Null(LockEngine.CheckRetentionLimit(new Retention(LockMode.Compliance, Now.AddDays(30)), max, At(true)));
        Assert.NotNull(LockEngine.CheckRetentionLimit(new Retention(LockMode.Compliance, Now.AddDays(30).AddSeconds(1)), max, At(true)));
    }

    [Fact]
    public void CheckRetentionLimit_NoMaximum_AllowsAnyDate()
    {
        Assert.Null(LockEngine.CheckRetentionLimit(new Retention(LockMode.Compliance, DateTimeOffset.MaxValue), null, At(true)));
    }

    [Theory]
    [InlineData(null, 10, true)]
    [InlineData(3650, null, true)]
    [InlineData(3653, null, true)]   // 2030-06-15 + 10y is 3653 days (3 leap days)
    [InlineData(3654, null, false)]
    [InlineData(null, 11, false)]
    public void CheckDefaultRuleLimit_RuleAgainstTenYears_AllowsOnlyRulesWithin(int? days, int? years, bool allowed)
    {
        var error = LockEngine.CheckDefaultRuleLimit(new DefaultRetention(LockMode.Compliance, days, years), MaxRetention.Default, At(true));

        Assert.Equal(allowed, error is null);
    }

    [Fact]
    public void CheckNewVersion_WriteOnceNameHoldingVersion_IsPreconditionFailed()
    {
        var limits = new BucketLimits(MaxRetention.Default, WriteOnce: true, null);

        var error = LockEngine.CheckNewVersion(limits, null, 10, nameHoldsVersion: true, NoQuota, NoQuota, At(true));

        Assert.Equal(S3Errors.WriteOnceName, error!.Error);
        Assert.Equal("PreconditionFailed", error.Error.Code);
        Assert.Equal(412, error.Error.Status);
    }

    [Fact]
    public void CheckNewVersion_WriteOnceNewName_IsAllowed()
    {
        Assert.Null(LockEngine.CheckNewVersion(new BucketLimits(null, true, null), null, 10, nameHoldsVersion: false, NoQuota, NoQuota, At(true)));
    }

    [Fact]
    public void CheckNewVersion_NotWriteOnce_AllowsNewVersionOfName()
    {
        Assert.Null(LockEngine.CheckNewVersion(BucketLimits.None, null, 10, nameHoldsVersion: true, NoQuota, NoQuota, At(true)));
    }

    [Theory]
    [InlineData(90, 10, true)]
    [InlineData(90, 11, false)]
    [InlineData(100, 0, true)]   // a full quota still takes zero bytes
    [InlineData(100, 1, false)]
    public void CheckNewVersion_BucketQuota_RefusesOnlyWhatGoesPastIt(long used, long size, bool allowed)
    {
        var error = LockEngine.CheckNewVersion(new BucketLimits(null, false, 100), null, size, false, new QuotaUsage(used, 100), NoQuota, At(true));

        Assert.Equal(allowed, error is null);
        if (!allowed)
        {
            Assert.Equal(S3Errors.QuotaExceeded, error!.Error);
            Assert.Equal(507, error.Error.Status);
            Assert.Contains("bucket's quota of 100 bytes", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CheckNewVersion_KeyQuota_IsQuotaExceededNamingTheKey()
    {
        var error = LockEngine.CheckNewVersion(BucketLimits.None, null, 11, false, NoQuota, new QuotaUsage(90, 100), At(true));

        Assert.Equal(S3Errors.QuotaExceeded, error!.Error);
        Assert.Contains("access key's quota", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckNewVersion_EveryLimitBroken_RetentionFirstThenWriteOnceThenQuota()
    {
        var limits = new BucketLimits(MaxRetention.Default, true, 1);
        var tooLong = new Retention(LockMode.Compliance, Now.AddYears(100));
        var full = new QuotaUsage(1, 1);

        Assert.Equal(S3Errors.InvalidArgument, LockEngine.CheckNewVersion(limits, tooLong, 5, true, full, full, At(true))!.Error);
        Assert.Equal(S3Errors.WriteOnceName, LockEngine.CheckNewVersion(limits, null, 5, true, full, full, At(true))!.Error);
        Assert.Equal(S3Errors.QuotaExceeded, LockEngine.CheckNewVersion(limits, null, 5, false, full, full, At(true))!.Error);
    }

    [Fact]
    public void MaxRetentionDefault_IsTenCalendarYears()
    {
        Assert.Equal(new MaxRetention(null, 10), MaxRetention.Default);
        Assert.Equal(Now.AddYears(10), MaxRetention.Default.LatestFrom(Now));
    }
}
