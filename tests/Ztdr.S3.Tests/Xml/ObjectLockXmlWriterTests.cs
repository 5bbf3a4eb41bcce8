using Ztdr.S3.Xml;
using static Ztdr.S3.Tests.Xml.XmlText;

namespace Ztdr.S3.Tests.Xml;

public sealed class ObjectLockXmlWriterTests
{
    [Fact]
    public void ToBytes_ConfigurationWithoutRule_OmitsRule() =>
        Assert.Equal(
            Declaration + $"<ObjectLockConfiguration xmlns=\"{Ns}\"><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>",
            Of(ObjectLockXmlWriter.ToBytes(new ObjectLockConfiguration(null))));

    [Fact]
    public void ToBytes_ConfigurationWithDays_MatchesGolden() =>
        Assert.Equal(
            Declaration + $"<ObjectLockConfiguration xmlns=\"{Ns}\"><ObjectLockEnabled>Enabled</ObjectLockEnabled>"
            + "<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>30</Days></DefaultRetention></Rule></ObjectLockConfiguration>",
            Of(ObjectLockXmlWriter.ToBytes(new ObjectLockConfiguration(new DefaultRetention(ObjectLockMode.Governance, 30, null)))));

    [Fact]
    public void ToBytes_ConfigurationWithYears_MatchesGolden() =>
        Assert.Equal(
            Declaration + $"<ObjectLockConfiguration xmlns=\"{Ns}\"><ObjectLockEnabled>Enabled</ObjectLockEnabled>"
            + "<Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Years>7</Years></DefaultRetention></Rule></ObjectLockConfiguration>",
            Of(ObjectLockXmlWriter.ToBytes(new ObjectLockConfiguration(new DefaultRetention(ObjectLockMode.Compliance, null, 7)))));

    [Fact]
    public void ToBytes_Retention_MatchesGolden() =>
        Assert.Equal(
            Declaration + $"<Retention xmlns=\"{Ns}\"><Mode>COMPLIANCE</Mode><RetainUntilDate>2030-01-01T00:00:00.000Z</RetainUntilDate></Retention>",
            Of(ObjectLockXmlWriter.ToBytes(new ObjectLockRetention(ObjectLockMode.Compliance, new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero)))));

    [Fact]
    public void ToBytes_RetentionSubMillisecond_TruncatesToMilliseconds() =>
        Assert.Equal(
            Declaration + $"<Retention xmlns=\"{Ns}\"><Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-01T00:00:00.999Z</RetainUntilDate></Retention>",
            Of(ObjectLockXmlWriter.ToBytes(new ObjectLockRetention(
                ObjectLockMode.Governance, new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(9_999_999)))));

    [Theory]
    [InlineData(LegalHoldStatus.On, "ON")]
    [InlineData(LegalHoldStatus.Off, "OFF")]
    public void ToBytes_LegalHold_MatchesGolden(LegalHoldStatus status, string wire) =>
        Assert.Equal(
            Declaration + $"<LegalHold xmlns=\"{Ns}\"><Status>{wire}</Status></LegalHold>",
            Of(ObjectLockXmlWriter.ToBytes(new ObjectLockLegalHold(status))));
}
