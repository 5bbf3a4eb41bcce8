using Ztdr.S3.Xml;
using static Ztdr.S3.Tests.Xml.XmlText;

namespace Ztdr.S3.Tests.Xml;

public sealed class ListingXmlWriterTests
{
    private const string Hash = "d41d8cd98f00b204e9800998ecf8427e";

    [Fact]
    public void ToBytes_ListObjectsV2Minimal_MatchesGolden()
    {
        var result = new ListObjectsV2Result
        {
            Name = "bkt",
            Contents = [new ListedObject("a.txt", Time, Hash, 0)],
        };

        Assert.Equal(
            Declaration + $"<ListBucketResult xmlns=\"{Ns}\"><Name>bkt</Name><Prefix></Prefix><MaxKeys>1000</MaxKeys>"
            + "<KeyCount>1</KeyCount><IsTruncated>false</IsTruncated>"
            + $"<Contents><Key>a.txt</Key><LastModified>2026-08-01T12:00:00.123Z</LastModified><ETag>\"{Hash}\"</ETag>"
            + "<Size>0</Size><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>",
            Of(ListingXmlWriter.ToBytes(result)));
    }

    [Fact]
    public void ToBytes_ListObjectsV2AllFields_MatchesGolden()
    {
        var result = new ListObjectsV2Result
        {
            Name = "bkt",
            Prefix = "data/",
            Delimiter = "/",
            MaxKeys = 2,
            IsTruncated = true,
            ContinuationToken = "tok1",
            NextContinuationToken = "tok2",
            StartAfter = "data/0",
            Contents =
            [
                new ListedObject("data/1", Time, Hash + "-2", 12345678901)
                {
                    Owner = new S3Owner("oid", "alice"),
                    ChecksumAlgorithm = "CRC32",
                    ChecksumType = "FULL_OBJECT",
                },
            ],
            CommonPrefixes = ["data/sub/"],
        };

        Assert.Equal(
            Declaration + $"<ListBucketResult xmlns=\"{Ns}\"><Name>bkt</Name><Prefix>data/</Prefix><Delimiter>/</Delimiter>"
            + "<MaxKeys>2</MaxKeys><KeyCount>2</KeyCount><IsTruncated>true</IsTruncated>"
            + "<ContinuationToken>tok1</ContinuationToken><NextContinuationToken>tok2</NextContinuationToken><StartAfter>data/0</StartAfter>"
            + $"<Contents><Key>data/1</Key><LastModified>2026-08-01T12:00:00.123Z</LastModified><ETag>\"{Hash}-2\"</ETag>"
            + "<Size>12345678901</Size><StorageClass>STANDARD</StorageClass><Owner><ID>oid</ID><DisplayName>alice</DisplayName></Owner>"
            + "<ChecksumAlgorithm>CRC32</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType></Contents>"
            + "<CommonPrefixes><Prefix>data/sub/</Prefix></CommonPrefixes></ListBucketResult>",
            Of(ListingXmlWriter.ToBytes(result)));
    }

    [Fact]
    public void ToBytes_ListObjectsV2SpecialKeysWithoutEncoding_EscapesXmlOnly()
    {
        var result = new ListObjectsV2Result
        {
            Name = "bkt",
            Prefix = "a b+",
            Contents = [new ListedObject("a b+c&d<e>f\"g'hé日本🎉\rx", Time, Hash, 1)],
        };

        var xml = Of(ListingXmlWriter.ToBytes(result));

        Assert.Contains("<Prefix>a b+</Prefix>", xml, StringComparison.Ordinal);
        Assert.Contains("<Key>a b+c&amp;d&lt;e&gt;f\"g'hé日本🎉&#xD;x</Key>", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("EncodingType", xml, StringComparison.Ordinal);
    }

    [Fact]
    public void ToBytes_ListObjectsV2UrlEncoding_EncodesKeyLikeValuesAndEchoes()
    {
        var result = new ListObjectsV2Result
        {
            Name = "bkt",
            Prefix = "p q/",
            Delimiter = "+",
            StartAfter = "p q/&",
            ContinuationToken = "opaque+token",
            EncodingType = ListEncodingType.Url,
            Contents = [new ListedObject("p q/a+b&c<d>é", Time, Hash, 1)],
            CommonPrefixes = ["p q/x y+"],
        };

        Assert.Equal(
            Declaration + $"<ListBucketResult xmlns=\"{Ns}\"><Name>bkt</Name><Prefix>p%20q/</Prefix><Delimiter>%2B</Delimiter>"
            + "<MaxKeys>1000</MaxKeys><KeyCount>2</KeyCount><IsTruncated>false</IsTruncated><ContinuationToken>opaque+token</ContinuationToken>"
            + "<StartAfter>p%20q/%26</StartAfter><EncodingType>url</EncodingType>"
            + $"<Contents><Key>p%20q/a%2Bb%26c%3Cd%3E%C3%A9</Key><LastModified>2026-08-01T12:00:00.123Z</LastModified><ETag>\"{Hash}\"</ETag>"
            + "<Size>1</Size><StorageClass>STANDARD</StorageClass></Contents>"
            + "<CommonPrefixes><Prefix>p%20q/x%20y%2B</Prefix></CommonPrefixes></ListBucketResult>",
            Of(ListingXmlWriter.ToBytes(result)));
    }

    [Fact]
    public void ToBytes_ListObjectsV2KeyWithControlCharacterWithoutEncoding_SwitchesToUrlEncoding()
    {
        var result = new ListObjectsV2Result
        {
            Name = "bkt",
            Contents = [new ListedObject("ok key", Time, Hash, 1), new ListedObject("bad\u0001key\uFFFF", Time, Hash, 1)],
        };

        var xml = Of(ListingXmlWriter.ToBytes(result));

        Assert.Contains("<EncodingType>url</EncodingType>", xml, StringComparison.Ordinal);
        Assert.Contains("<Key>ok%20key</Key>", xml, StringComparison.Ordinal);
        Assert.Contains("<Key>bad%01key%EF%BF%BF</Key>", xml, StringComparison.Ordinal);
    }

    [Fact]
    public void ToBytes_ListObjectsV1_MatchesGolden()
    {
        var result = new ListObjectsV1Result
        {
            Name = "bkt",
            Prefix = "",
            Marker = "m0",
            NextMarker = "photos/",
            MaxKeys = 1,
            Delimiter = "/",
            IsTruncated = true,
            Contents = [new ListedObject("a", Time, Hash, 3) { Owner = new S3Owner("oid", "alice") }],
            CommonPrefixes = ["photos/"],
        };

        Assert.Equal(
            Declaration + $"<ListBucketResult xmlns=\"{Ns}\"><Name>bkt</Name><Prefix></Prefix><Marker>m0</Marker><NextMarker>photos/</NextMarker>"
            + "<MaxKeys>1</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>"
            + $"<Contents><Key>a</Key><LastModified>2026-08-01T12:00:00.123Z</LastModified><ETag>\"{Hash}\"</ETag><Size>3</Size>"
            + "<StorageClass>STANDARD</StorageClass><Owner><ID>oid</ID><DisplayName>alice</DisplayName></Owner></Contents>"
            + "<CommonPrefixes><Prefix>photos/</Prefix></CommonPrefixes></ListBucketResult>",
            Of(ListingXmlWriter.ToBytes(result)));
    }

    [Fact]
    public void ToBytes_ListObjectsV1UrlEncoding_EncodesMarkers()
    {
        var result = new ListObjectsV1Result
        {
            Name = "bkt",
            Marker = "a b",
            NextMarker = "c+d",
            EncodingType = ListEncodingType.Url,
        };

        Assert.Equal(
            Declaration + $"<ListBucketResult xmlns=\"{Ns}\"><Name>bkt</Name><Prefix></Prefix><Marker>a%20b</Marker><NextMarker>c%2Bd</NextMarker>"
            + "<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated><EncodingType>url</EncodingType></ListBucketResult>",
            Of(ListingXmlWriter.ToBytes(result)));
    }

    [Fact]
    public void ToBytes_ListVersions_InterleavesEntriesInGivenOrder()
    {
        var owner = new S3Owner("oid", "alice");
        var result = new ListVersionsResult
        {
            Name = "bkt",
            KeyMarker = "",
            VersionIdMarker = "",
            NextKeyMarker = "b",
            NextVersionIdMarker = "v3",
            MaxKeys = 3,
            IsTruncated = true,
            Entries =
            [
                new ListedDeleteMarker("a", "v2", true, Time) { Owner = owner },
                new ListedVersion("a", "v1", false, Time, Hash, 5) { Owner = owner },
                new ListedVersion("b", "v3", true, Time, Hash, 7),
            ],
        };

        Assert.Equal(
            Declaration + $"<ListVersionsResult xmlns=\"{Ns}\"><Name>bkt</Name><Prefix></Prefix><KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker>"
            + "<NextKeyMarker>b</NextKeyMarker><NextVersionIdMarker>v3</NextVersionIdMarker><MaxKeys>3</MaxKeys><IsTruncated>true</IsTruncated>"
            + "<DeleteMarker><Key>a</Key><VersionId>v2</VersionId><IsLatest>true</IsLatest><LastModified>2026-08-01T12:00:00.123Z</LastModified>"
            + "<Owner><ID>oid</ID><DisplayName>alice</DisplayName></Owner></DeleteMarker>"
            + "<Version><Key>a</Key><VersionId>v1</VersionId><IsLatest>false</IsLatest><LastModified>2026-08-01T12:00:00.123Z</LastModified>"
            + $"<ETag>\"{Hash}\"</ETag><Size>5</Size><StorageClass>STANDARD</StorageClass><Owner><ID>oid</ID><DisplayName>alice</DisplayName></Owner></Version>"
            + "<Version><Key>b</Key><VersionId>v3</VersionId><IsLatest>true</IsLatest><LastModified>2026-08-01T12:00:00.123Z</LastModified>"
            + $"<ETag>\"{Hash}\"</ETag><Size>7</Size><StorageClass>STANDARD</StorageClass></Version></ListVersionsResult>",
            Of(ListingXmlWriter.ToBytes(result)));
    }

    [Fact]
    public void ToBytes_ListVersionsUrlEncodingWithDelimiter_EncodesAndEchoesLast()
    {
        var result = new ListVersionsResult
        {
            Name = "bkt",
            Prefix = "x y/",
            KeyMarker = "x y/a",
            VersionIdMarker = "v1",
            NextKeyMarker = "x y/z+",
            Delimiter = "/",
            EncodingType = ListEncodingType.Url,
            CommonPrefixes = ["x y/d&/"],
        };

        Assert.Equal(
            Declaration + $"<ListVersionsResult xmlns=\"{Ns}\"><Name>bkt</Name><Prefix>x%20y/</Prefix><KeyMarker>x%20y/a</KeyMarker>"
            + "<VersionIdMarker>v1</VersionIdMarker><NextKeyMarker>x%20y/z%2B</NextKeyMarker><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter>"
            + "<IsTruncated>false</IsTruncated><CommonPrefixes><Prefix>x%20y/d%26/</Prefix></CommonPrefixes>"
            + "<EncodingType>url</EncodingType></ListVersionsResult>",
            Of(ListingXmlWriter.ToBytes(result)));
    }

    [Fact]
    public void ToBytes_ListVersionsControlCharacterInMarker_SwitchesToUrlEncoding()
    {
        var result = new ListVersionsResult { Name = "bkt", KeyMarker = "k\u001F" };

        var xml = Of(ListingXmlWriter.ToBytes(result));

        Assert.Contains("<KeyMarker>k%1F</KeyMarker>", xml, StringComparison.Ordinal);
        Assert.EndsWith("<EncodingType>url</EncodingType></ListVersionsResult>", xml, StringComparison.Ordinal);
    }
}
