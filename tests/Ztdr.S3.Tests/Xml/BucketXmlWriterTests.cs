using Ztdr.S3.Xml;
using static Ztdr.S3.Tests.Xml.XmlText;

namespace Ztdr.S3.Tests.Xml;

public sealed class BucketXmlWriterTests
{
    [Fact]
    public void ToBytes_ListAllMyBuckets_MatchesGolden()
    {
        var result = new ListAllMyBucketsResult(
            new S3Owner("owner-id", "alice"),
            [new BucketEntry("alpha", Time), new BucketEntry("beta", new DateTimeOffset(2026, 1, 2, 4, 5, 6, TimeSpan.FromHours(2)))]);

        Assert.Equal(
            Declaration + $"<ListAllMyBucketsResult xmlns=\"{Ns}\"><Owner><ID>owner-id</ID><DisplayName>alice</DisplayName></Owner>"
            + "<Buckets><Bucket><Name>alpha</Name><CreationDate>2026-08-01T12:00:00.123Z</CreationDate></Bucket>"
            + "<Bucket><Name>beta</Name><CreationDate>2026-01-02T02:05:06.000Z</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>",
            Of(BucketXmlWriter.ToBytes(result)));
    }

    [Fact]
    public void ToBytes_ListAllMyBucketsWithoutBucketsOrDisplayName_WritesEmptyBuckets()
    {
        var result = new ListAllMyBucketsResult(new S3Owner("owner-id"), []);

        Assert.Equal(
            Declaration + $"<ListAllMyBucketsResult xmlns=\"{Ns}\"><Owner><ID>owner-id</ID></Owner><Buckets></Buckets></ListAllMyBucketsResult>",
            Of(BucketXmlWriter.ToBytes(result)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("us-east-1")]
    public void ToBytes_LocationUsEast1_IsEmptyElement(string? region) =>
        Assert.Equal(
            Declaration + $"<LocationConstraint xmlns=\"{Ns}\"></LocationConstraint>",
            Of(BucketXmlWriter.ToBytes(new BucketLocation(region))));

    [Fact]
    public void ToBytes_LocationOtherRegion_WritesRegion() =>
        Assert.Equal(
            Declaration + $"<LocationConstraint xmlns=\"{Ns}\">eu-west-1</LocationConstraint>",
            Of(BucketXmlWriter.ToBytes(new BucketLocation("eu-west-1"))));

    [Fact]
    public void ToBytes_VersioningNeverSet_OmitsStatus() =>
        Assert.Equal(
            Declaration + $"<VersioningConfiguration xmlns=\"{Ns}\"></VersioningConfiguration>",
            Of(BucketXmlWriter.ToBytes(new VersioningConfiguration(null))));

    [Theory]
    [InlineData(VersioningStatus.Enabled, "Enabled")]
    [InlineData(VersioningStatus.Suspended, "Suspended")]
    public void ToBytes_VersioningSet_WritesStatus(VersioningStatus status, string wire) =>
        Assert.Equal(
            Declaration + $"<VersioningConfiguration xmlns=\"{Ns}\"><Status>{wire}</Status></VersioningConfiguration>",
            Of(BucketXmlWriter.ToBytes(new VersioningConfiguration(status))));

    [Fact]
    public void Write_ToStream_MatchesToBytes()
    {
        var value = new VersioningConfiguration(VersioningStatus.Enabled);
        using var stream = new MemoryStream();
        stream.WriteByte((byte)'x');

        BucketXmlWriter.Write(stream, value);

        Assert.Equal([(byte)'x', .. BucketXmlWriter.ToBytes(value)], stream.ToArray());
        Assert.True(stream.CanWrite, "the writer must not close the caller's stream");
    }
}
