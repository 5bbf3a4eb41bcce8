using Ztdr.S3.Xml;
using static Ztdr.S3.Tests.Xml.XmlText;

namespace Ztdr.S3.Tests.Xml;

public sealed class ObjectXmlWriterTests
{
    [Fact]
    public void ToBytes_CopyObjectResult_MatchesGolden() =>
        Assert.Equal(
            Declaration + $"<CopyObjectResult xmlns=\"{Ns}\"><ETag>\"9b2cf535f27731c974343645a3985328\"</ETag>"
            + "<LastModified>2026-08-01T12:00:00.123Z</LastModified></CopyObjectResult>",
            Of(ObjectXmlWriter.ToBytes(new CopyObjectResult("9b2cf535f27731c974343645a3985328", Time))));

    [Fact]
    public void ToBytes_CopyObjectResultWithChecksum_WritesTypeThenValues() =>
        Assert.Equal(
            Declaration + $"<CopyObjectResult xmlns=\"{Ns}\"><ETag>\"abc\"</ETag><LastModified>2026-08-01T12:00:00.123Z</LastModified>"
            + "<ChecksumType>FULL_OBJECT</ChecksumType><ChecksumCRC32>AAAAAA==</ChecksumCRC32></CopyObjectResult>",
            Of(ObjectXmlWriter.ToBytes(new CopyObjectResult("\"abc\"", Time)
            {
                Checksums = new S3Checksums { Crc32 = "AAAAAA==", Type = "FULL_OBJECT" },
            })));

    [Fact]
    public void ToBytes_DeleteResult_MatchesGolden()
    {
        var result = new DeleteResult(
            [
                new DeletedObject("plain", "v1"),
                new DeletedObject("marker-created", DeleteMarker: true, DeleteMarkerVersionId: "m1"),
                new DeletedObject("marker-removed", "m2", DeleteMarker: true, DeleteMarkerVersionId: "m2"),
            ],
            [new DeleteError("locked", "v9", "AccessDenied", "Access Denied because object protected by object lock.")]);

        Assert.Equal(
            Declaration + $"<DeleteResult xmlns=\"{Ns}\">"
            + "<Deleted><Key>plain</Key><VersionId>v1</VersionId></Deleted>"
            + "<Deleted><Key>marker-created</Key><DeleteMarker>true</DeleteMarker><DeleteMarkerVersionId>m1</DeleteMarkerVersionId></Deleted>"
            + "<Deleted><Key>marker-removed</Key><VersionId>m2</VersionId><DeleteMarker>true</DeleteMarker><DeleteMarkerVersionId>m2</DeleteMarkerVersionId></Deleted>"
            + "<Error><Key>locked</Key><VersionId>v9</VersionId><Code>AccessDenied</Code><Message>Access Denied because object protected by object lock.</Message></Error>"
            + "</DeleteResult>",
            Of(ObjectXmlWriter.ToBytes(result)));
    }

    [Fact]
    public void ToBytes_DeleteResultQuietAndEmpty_WritesEmptyRoot() =>
        Assert.Equal(
            Declaration + $"<DeleteResult xmlns=\"{Ns}\"></DeleteResult>",
            Of(ObjectXmlWriter.ToBytes(new DeleteResult([], []))));

    [Fact]
    public void ToBytes_DeleteResultKeyWithXmlSpecials_IsEscaped() =>
        Assert.Equal(
            Declaration + $"<DeleteResult xmlns=\"{Ns}\"><Deleted><Key>a &amp; &lt;b&gt; \"c\" + d é</Key></Deleted></DeleteResult>",
            Of(ObjectXmlWriter.ToBytes(new DeleteResult([new DeletedObject("a & <b> \"c\" + d é")], []))));
}
