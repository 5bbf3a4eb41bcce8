using Ztdr.Vault.Locking;

namespace Ztdr.Vault.Tests.Locking;

/// <summary>The bucket default applied to a new version (reference §1.3).</summary>
public sealed class DefaultRetentionTests
{
    private static readonly DateTimeOffset Created = new(2030, 3, 10, 8, 30, 15, 123, TimeSpan.Zero);

    [Fact]
    public void ApplyDefault_NoRule_GivesNoRetention()
    {
        Assert.Null(LockEngine.ApplyDefault(null, Created));
    }

    [Theory]
    [InlineData(1, "2030-03-11T08:30:15.123Z")]
    [InlineData(30, "2030-04-09T08:30:15.123Z")]
    [InlineData(36500, "2130-02-14T08:30:15.123Z")]
    public void ApplyDefault_Days_AddsWholeUtcDays(int days, string expected)
    {
        var retention = LockEngine.ApplyDefault(new DefaultRetention(LockMode.Governance, days, null), Created);

        Assert.Equal(new Retention(LockMode.Governance, DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture)), retention);
    }

    [Theory]
    [InlineData("2030-03-10T08:30:15.123Z", 1, "2031-03-10T08:30:15.123Z")]
    [InlineData("2030-03-10T08:30:15.123Z", 100, "2130-03-10T08:30:15.123Z")]
    [InlineData("2028-02-29T12:00:00.000Z", 4, "2032-02-29T12:00:00.000Z")]   // leap year to leap year: the same day
    [InlineData("2028-02-29T12:00:00.000Z", 1, "2029-03-01T12:00:00.000Z")]   // no 29 Feb: 1 March, never the shorter 28 Feb
    [InlineData("2027-02-28T12:00:00.000Z", 1, "2028-02-28T12:00:00.000Z")]
    [InlineData("2030-12-31T23:59:59.999Z", 1, "2031-12-31T23:59:59.999Z")]
    public void ApplyDefault_Years_AddsCalendarYears(string created, int years, string expected)
    {
        var retention = LockEngine.ApplyDefault(new DefaultRetention(LockMode.Compliance, null, years), Parse(created));

        Assert.Equal(new Retention(LockMode.Compliance, Parse(expected)), retention);
    }

    [Fact]
    public void ApplyDefault_CreatedWithOffset_CountsInUtc()
    {
        // 1 March 00:30 at +02:00 is 28 February 22:30 UTC: one year later is 28 February UTC, not a clamped local date.
        var created = new DateTimeOffset(2029, 3, 1, 0, 30, 0, TimeSpan.FromHours(2));

        var retention = LockEngine.ApplyDefault(new DefaultRetention(LockMode.Compliance, null, 1), created);

        Assert.Equal(Parse("2030-02-28T22:30:00.000Z"), retention!.RetainUntil);
        Assert.Equal(TimeSpan.Zero, retention.RetainUntil.Offset);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(null, null)]
    [InlineData(0, null)]
    [InlineData(null, -1)]
    public void ApplyDefault_NotExactlyOnePositivePeriod_Throws(int? days, int? years)
    {
        // The XML parser rejects these; reaching the engine with one is a bug, never a silent "no retention".
        Assert.Throws<ArgumentException>(() => LockEngine.ApplyDefault(new DefaultRetention(LockMode.Compliance, days, years), Created));
    }

    private static DateTimeOffset Parse(string text) =>
        DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);
}
