using Ztdr.S3.Xml;
using static Ztdr.S3.Tests.Xml.XmlText;

namespace Ztdr.S3.Tests.Xml;

public sealed class MultipartXmlWriterTests
{
    private static readonly S3Owner Alice = new("oid", "alice");

    [Fact]
    public void ToBytes_InitiateMultipartUpload_MatchesGolden() =>
        Assert.Equal(
            Declaration + $"<InitiateMultipartUploadResult xmlns=\"{Ns}\"><Bucket>bkt</Bucket><Key>big file.bin</Key>"
            + "<UploadId>u-1</UploadId></InitiateMultipartUploadResult>",
            Of(MultipartXmlWriter.ToBytes(new InitiateMultipartUploadResult("bkt", "big file.bin", "u-1"))));

    [Fact]
    public void ToBytes_CompleteMultipartUpload_MatchesGolden() =>
        Assert.Equal(
            Declaration + $"<CompleteMultipartUploadResult xmlns=\"{Ns}\"><Location>https://vault.example/bkt/k</Location>"
            + "<Bucket>bkt</Bucket><Key>k</Key><ETag>\"3858f62230ac3c915f300c664312c11f-9\"</ETag></CompleteMultipartUploadResult>",
            Of(MultipartXmlWriter.ToBytes(new CompleteMultipartUploadResult(
                "https://vault.example/bkt/k", "bkt", "k", "3858f62230ac3c915f300c664312c11f-9"))));

    [Fact]
    public void ToBytes_CompleteMultipartUploadWithChecksums_WritesValuesThenType() =>
        Assert.Equal(
            Declaration + $"<CompleteMultipartUploadResult xmlns=\"{Ns}\"><Location>l</Location><Bucket>b</Bucket><Key>k</Key>"
            + "<ETag>\"e-2\"</ETag><ChecksumCRC32>AAAAAA==-2</ChecksumCRC32><ChecksumSHA256>sha</ChecksumSHA256>"
            + "<ChecksumType>COMPOSITE</ChecksumType></CompleteMultipartUploadResult>",
            Of(MultipartXmlWriter.ToBytes(new CompleteMultipartUploadResult("l", "b", "k", "e-2")
            {
                Checksums = new S3Checksums { Crc32 = "AAAAAA==-2", Sha256 = "sha", Type = "COMPOSITE" },
            })));

    [Fact]
    public void ToBytes_CopyPartResult_MatchesGolden() =>
        Assert.Equal(
            Declaration + $"<CopyPartResult xmlns=\"{Ns}\"><ETag>\"e\"</ETag><LastModified>2026-08-01T12:00:00.123Z</LastModified>"
            + "<ChecksumCRC32C>c</ChecksumCRC32C></CopyPartResult>",
            Of(MultipartXmlWriter.ToBytes(new CopyPartResult("e", Time) { Checksums = new S3Checksums { Crc32C = "c", Type = "IGNORED" } })));

    [Fact]
    public void ToBytes_ListParts_MatchesGolden()
    {
        var result = new ListPartsResult
        {
            Bucket = "bkt",
            Key = "k",
            UploadId = "u-1",
            PartNumberMarker = 0,
            NextPartNumberMarker = 2,
            MaxParts = 2,
            IsTruncated = true,
            Parts =
            [
                new ListedPart(1, Time, "e1", 5242880) { Checksums = new S3Checksums { Crc32 = "c1" } },
                new ListedPart(2, Time, "e2", 5242880),
            ],
            Initiator = Alice,
            Owner = Alice,
        };

        Assert.Equal(
            Declaration + $"<ListPartsResult xmlns=\"{Ns}\"><Bucket>bkt</Bucket><Key>k</Key><UploadId>u-1</UploadId>"
            + "<PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>2</NextPartNumberMarker><MaxParts>2</MaxParts><IsTruncated>true</IsTruncated>"
            + "<Part><PartNumber>1</PartNumber><LastModified>2026-08-01T12:00:00.123Z</LastModified><ETag>\"e1\"</ETag><Size>5242880</Size>"
            + "<ChecksumCRC32>c1</ChecksumCRC32></Part>"
            + "<Part><PartNumber>2</PartNumber><LastModified>2026-08-01T12:00:00.123Z</LastModified><ETag>\"e2\"</ETag><Size>5242880</Size></Part>"
            + "<Initiator><ID>oid</ID><DisplayName>alice</DisplayName></Initiator><Owner><ID>oid</ID><DisplayName>alice</DisplayName></Owner>"
            + "<StorageClass>STANDARD</StorageClass></ListPartsResult>",
            Of(MultipartXmlWriter.ToBytes(result)));
    }

    [Fact]
    public void ToBytes_ListMultipartUploads_MatchesGolden()
    {
        var result = new ListMultipartUploadsResult
        {
            Bucket = "bkt",
            NextKeyMarker = "k",
            NextUploadIdMarker = "u-1",
            Prefix = "",
            Delimiter = "/",
            MaxUploads = 1,
            IsTruncated = true,
            Uploads = [new ListedUpload("k", "u-1", Alice, Alice, Time)],
            CommonPrefixes = ["dir/"],
        };

        Assert.Equal(
            Declaration + $"<ListMultipartUploadsResult xmlns=\"{Ns}\"><Bucket>bkt</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>"
            + "<NextKeyMarker>k</NextKeyMarker><NextUploadIdMarker>u-1</NextUploadIdMarker><Prefix></Prefix><Delimiter>/</Delimiter>"
            + "<MaxUploads>1</MaxUploads><IsTruncated>true</IsTruncated>"
            + "<Upload><Key>k</Key><UploadId>u-1</UploadId><Initiator><ID>oid</ID><DisplayName>alice</DisplayName></Initiator>"
            + "<Owner><ID>oid</ID><DisplayName>alice</DisplayName></Owner><StorageClass>STANDARD</StorageClass>"
            + "<Initiated>2026-08-01T12:00:00.123Z</Initiated></Upload>"
            + "<CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes></ListMultipartUploadsResult>",
            Of(MultipartXmlWriter.ToBytes(result)));
    }

    [Fact]
    public void ToBytes_ListMultipartUploadsUrlEncoding_EncodesKeysAndEchoes()
    {
        var result = new ListMultipartUploadsResult
        {
            Bucket = "bkt",
            KeyMarker = "a b",
            EncodingType = ListEncodingType.Url,
            Uploads = [new ListedUpload("a+b", "u-1", Alice, Alice, Time)],
        };

        var xml = Of(MultipartXmlWriter.ToBytes(result));

        Assert.Contains("<KeyMarker>a%20b</KeyMarker>", xml, StringComparison.Ordinal);
        Assert.Contains("<Key>a%2Bb</Key>", xml, StringComparison.Ordinal);
        Assert.EndsWith("<EncodingType>url</EncodingType></ListMultipartUploadsResult>", xml, StringComparison.Ordinal);
    }
}
