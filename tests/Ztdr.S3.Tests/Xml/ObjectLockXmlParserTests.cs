using Ztdr.S3.Errors;
using Ztdr.S3.Xml;
using static Ztdr.S3.Tests.Xml.XmlText;

namespace Ztdr.S3.Tests.Xml;

public sealed class ObjectLockXmlParserTests
{
    private static readonly DateTimeOffset Y2030 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<ObjectLockConfiguration> Configurations() =>
    [
        new ObjectLockConfiguration(null),
        new ObjectLockConfiguration(new DefaultRetention(ObjectLockMode.Governance, 1, null)),
        new ObjectLockConfiguration(new DefaultRetention(ObjectLockMode.Compliance, null, 100)),
    ];

    [Theory]
    [MemberData(nameof(Configurations))]
    public void ParseObjectLockConfiguration_WriterOutput_RoundTrips(ObjectLockConfiguration value) =>
        Assert.Equal(value, ObjectLockXmlParser.ParseObjectLockConfiguration(ObjectLockXmlWriter.ToBytes(value)));

    [Fact]
    public void ParseObjectLockConfiguration_NoNamespace_IsAccepted() =>
        Assert.Equal(
            new ObjectLockConfiguration(new DefaultRetention(ObjectLockMode.Compliance, 36500, null)),
            ObjectLockXmlParser.ParseObjectLockConfiguration(Body(Config("<Mode>COMPLIANCE</Mode><Days>36500</Days>"))));

    [Theory]
    [InlineData("<ObjectLockConfiguration><ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>")]
    [InlineData("<ObjectLockConfiguration><ObjectLockEnabled>enabled</ObjectLockEnabled></ObjectLockConfiguration>")]
    [InlineData("<ObjectLockConfiguration></ObjectLockConfiguration>")]
    [InlineData("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule></Rule></ObjectLockConfiguration>")]
    public void ParseObjectLockConfiguration_BadStructure_IsMalformedXml(string xml) =>
        S3Assert.Malformed(() => ObjectLockXmlParser.ParseObjectLockConfiguration(Body(xml)));

    [Theory]
    [InlineData("<Mode>governance</Mode><Days>1</Days>")]
    [InlineData("<Mode>abc</Mode><Days>1</Days>")]
    [InlineData("<Days>1</Days>")]
    [InlineData("<Mode>GOVERNANCE</Mode>")]
    [InlineData("<Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years>")]
    [InlineData("<Mode>GOVERNANCE</Mode><Days>abc</Days>")]
    [InlineData("<Mode>GOVERNANCE</Mode><Days>1</Days><Days>2</Days>")]
    public void ParseObjectLockConfiguration_BadDefaultRetention_IsMalformedXml(string retention) =>
        S3Assert.Malformed(() => ObjectLockXmlParser.ParseObjectLockConfiguration(Body(Config(retention))));

    [Theory]
    [InlineData("<Days>0</Days>")]
    [InlineData("<Days>-1</Days>")]
    [InlineData("<Years>0</Years>")]
    [InlineData("<Years>-1</Years>")]
    public void ParseObjectLockConfiguration_NonPositivePeriod_IsInvalidRetentionPeriod(string period)
    {
        var exception = S3Assert.Fails(
            ObjectLockXmlParser.InvalidRetentionPeriod,
            () => ObjectLockXmlParser.ParseObjectLockConfiguration(Body(Config("<Mode>GOVERNANCE</Mode>" + period))));

        Assert.Equal("InvalidRetentionPeriod", exception.Error.Code);
    }

    [Theory]
    [InlineData("<Days>36501</Days>")]
    [InlineData("<Years>101</Years>")]
    public void ParseObjectLockConfiguration_PeriodTooLarge_IsInvalidArgument(string period)
    {
        var exception = S3Assert.Fails(
            S3Errors.InvalidArgument,
            () => ObjectLockXmlParser.ParseObjectLockConfiguration(Body(Config("<Mode>GOVERNANCE</Mode>" + period))));

        Assert.Equal("Default retention period too large.", exception.Message);
    }

    [Fact]
    public void ParseRetention_WriterOutput_RoundTrips()
    {
        var value = new ObjectLockRetention(ObjectLockMode.Governance, new DateTimeOffset(2140, 1, 1, 0, 0, 0, 456, TimeSpan.Zero));

        Assert.Equal(value, ObjectLockXmlParser.ParseRetention(ObjectLockXmlWriter.ToBytes(value)));
    }

    [Theory]
    [InlineData("2030-01-01T00:00:00Z")]
    [InlineData("2030-01-01T00:00:00.000Z")]
    [InlineData("2030-01-01T00:00:00.0Z")]
    [InlineData("2030-01-01T00:00:00.000000Z")]
    [InlineData("2030-01-01T00:00:00.000000000Z")]
    [InlineData("2030-01-01T02:00:00+02:00")]
    [InlineData("2029-12-31T19:00:00.000-05:00")]
    public void ParseRetention_IsoDateForms_AreUtc(string date)
    {
        var parsed = ObjectLockXmlParser.ParseRetention(Body($"<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>{date}</RetainUntilDate></Retention>"));

        Assert.Equal(Y2030, parsed.RetainUntilDate);
        Assert.Equal(TimeSpan.Zero, parsed.RetainUntilDate!.Value.Offset);
        Assert.Equal(ObjectLockMode.Compliance, parsed.Mode);
    }

    [Fact]
    public void ParseRetention_NineFractionDigits_KeepsHundredNanoseconds() =>
        Assert.Equal(
            Y2030.AddTicks(1234567),
            ObjectLockXmlParser.ParseRetention(Body("<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-01T00:00:00.123456789Z</RetainUntilDate></Retention>")).RetainUntilDate);

    [Theory]
    [InlineData("<Retention/>")]
    [InlineData("<Retention xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></Retention>")]
    public void ParseRetention_Empty_ReturnsRemovalRequest(string xml) =>
        Assert.Equal(new ObjectLockRetention(null, null), ObjectLockXmlParser.ParseRetention(Body(xml)));

    [Theory]
    [InlineData("<Mode>GOVERNANCE</Mode>")]
    [InlineData("<RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate>")]
    [InlineData("<Mode>governance</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate>")]
    [InlineData("<Mode></Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate>")]
    [InlineData("<Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-01</RetainUntilDate>")]
    [InlineData("<Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-01T00:00:00</RetainUntilDate>")]
    [InlineData("<Mode>GOVERNANCE</Mode><RetainUntilDate>Tue, 01 Jan 2030 00:00:00 GMT</RetainUntilDate>")]
    [InlineData("<Mode>GOVERNANCE</Mode><RetainUntilDate>2030-13-01T00:00:00Z</RetainUntilDate>")]
    [InlineData("<Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-01T00:00:00.1234567890Z</RetainUntilDate>")]
    [InlineData("<Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-01T00:00:00Z&#10;</RetainUntilDate>")]
    [InlineData("<Mode>GOVERNANCE</Mode><RetainUntilDate>２０３０-01-01T00:00:00Z</RetainUntilDate>")]
    public void ParseRetention_Malformed_IsMalformedXml(string inner) =>
        S3Assert.Malformed(() => ObjectLockXmlParser.ParseRetention(Body($"<Retention>{inner}</Retention>")));

    [Theory]
    [InlineData(LegalHoldStatus.On)]
    [InlineData(LegalHoldStatus.Off)]
    public void ParseLegalHold_WriterOutput_RoundTrips(LegalHoldStatus status) =>
        Assert.Equal(status, ObjectLockXmlParser.ParseLegalHold(ObjectLockXmlWriter.ToBytes(new ObjectLockLegalHold(status))).Status);

    [Theory]
    [InlineData("<LegalHold><Status>on</Status></LegalHold>")]
    [InlineData("<LegalHold><Status>Enabled</Status></LegalHold>")]
    [InlineData("<LegalHold></LegalHold>")]
    [InlineData("<Retention><Status>ON</Status></Retention>")]
    public void ParseLegalHold_Malformed_IsMalformedXml(string xml) =>
        S3Assert.Malformed(() => ObjectLockXmlParser.ParseLegalHold(Body(xml)));

    private static string Config(string defaultRetention) =>
        "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention>"
        + defaultRetention + "</DefaultRetention></Rule></ObjectLockConfiguration>";
}
