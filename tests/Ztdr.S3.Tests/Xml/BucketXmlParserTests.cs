using Ztdr.S3.Errors;
using Ztdr.S3.Xml;
using static Ztdr.S3.Tests.Xml.XmlText;

namespace Ztdr.S3.Tests.Xml;

public sealed class BucketXmlParserTests
{
    [Theory]
    [InlineData("")]
    [InlineData(" \r\n\t")]
    [InlineData("<CreateBucketConfiguration/>")]
    [InlineData("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></CreateBucketConfiguration>")]
    public void ParseCreateBucketConfiguration_EmptyOrNoConstraint_ReturnsNull(string xml) =>
        Assert.Null(BucketXmlParser.ParseCreateBucketConfiguration(Body(xml)).LocationConstraint);

    [Theory]
    [InlineData("<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>")]
    [InlineData("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n  <LocationConstraint>eu-west-1</LocationConstraint>\n</CreateBucketConfiguration>")]
    public void ParseCreateBucketConfiguration_WithConstraint_ReturnsRegion(string xml) =>
        Assert.Equal("eu-west-1", BucketXmlParser.ParseCreateBucketConfiguration(Body(xml)).LocationConstraint);

    [Theory]
    [InlineData("<CreateBucketConfig><LocationConstraint>x</LocationConstraint></CreateBucketConfig>")]
    [InlineData("<CreateBucketConfiguration xmlns=\"http://example.com/\"><LocationConstraint>x</LocationConstraint></CreateBucketConfiguration>")]
    [InlineData("<CreateBucketConfiguration><LocationConstraint>a</LocationConstraint><LocationConstraint>b</LocationConstraint></CreateBucketConfiguration>")]
    [InlineData("<CreateBucketConfiguration><LocationConstraint><x/></LocationConstraint></CreateBucketConfiguration>")]
    [InlineData("not xml")]
    public void ParseCreateBucketConfiguration_Malformed_IsMalformedXml(string xml) =>
        S3Assert.Malformed(() => BucketXmlParser.ParseCreateBucketConfiguration(Body(xml)));

    [Theory]
    [InlineData("Enabled", VersioningStatus.Enabled)]
    [InlineData("Suspended", VersioningStatus.Suspended)]
    public void ParseVersioningConfiguration_ValidStatus_ReturnsIt(string wire, VersioningStatus expected)
    {
        var withNamespace = $"<VersioningConfiguration xmlns=\"{Ns}\"><Status>{wire}</Status></VersioningConfiguration>";
        var withoutNamespace = $"<VersioningConfiguration><Status>{wire}</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>";

        Assert.Equal(expected, BucketXmlParser.ParseVersioningConfiguration(Body(withNamespace)).Status);
        Assert.Equal(expected, BucketXmlParser.ParseVersioningConfiguration(Body(withoutNamespace)).Status);
    }

    [Fact]
    public void ParseVersioningConfiguration_RoundTrip_PreservesStatus()
    {
        var value = new VersioningConfiguration(VersioningStatus.Suspended);

        Assert.Equal(value, BucketXmlParser.ParseVersioningConfiguration(BucketXmlWriter.ToBytes(value)));
    }

    [Theory]
    [InlineData("<VersioningConfiguration><Status>enabled</Status></VersioningConfiguration>")]
    [InlineData("<VersioningConfiguration><Status>Disabled</Status></VersioningConfiguration>")]
    [InlineData("<VersioningConfiguration><Status> Enabled</Status></VersioningConfiguration>")]
    [InlineData("<VersioningConfiguration></VersioningConfiguration>")]
    [InlineData("<VersioningConfiguration><Status>Enabled</Status><Status>Enabled</Status></VersioningConfiguration>")]
    [InlineData("<VersioningConfiguration><Status>Enabled</Status><MfaDelete>disabled</MfaDelete></VersioningConfiguration>")]
    [InlineData("")]
    public void ParseVersioningConfiguration_Malformed_IsMalformedXml(string xml) =>
        S3Assert.Malformed(() => BucketXmlParser.ParseVersioningConfiguration(Body(xml)));

    [Fact]
    public void ParseVersioningConfiguration_MfaDeleteEnabled_IsNotImplemented() =>
        S3Assert.Fails(
            S3Errors.NotImplemented,
            () => BucketXmlParser.ParseVersioningConfiguration(Body("<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Enabled</MfaDelete></VersioningConfiguration>")));

    [Fact]
    public async Task ParseVersioningConfigurationAsync_FromStream_MatchesSync()
    {
        using var stream = new MemoryStream(Body("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"));

        var parsed = await BucketXmlParser.ParseVersioningConfigurationAsync(stream);

        Assert.Equal(VersioningStatus.Enabled, parsed.Status);
    }
}
