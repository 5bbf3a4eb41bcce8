using System.Text;
using Ztdr.S3.Xml;
using static Ztdr.S3.Tests.Xml.XmlText;

namespace Ztdr.S3.Tests.Xml;

public sealed class MultipartXmlParserTests
{
    [Fact]
    public void ParseCompleteMultipartUpload_QuotedAndBareETags_ReturnsBareInOrder()
    {
        var xml = $"<CompleteMultipartUpload xmlns=\"{Ns}\">"
            + "<Part><ETag>\"aaa\"</ETag><PartNumber>1</PartNumber></Part>"
            + "<Part><PartNumber>2</PartNumber><ETag>&quot;bbb-1&quot;</ETag></Part>"
            + "<Part><PartNumber>3</PartNumber><ETag>ccc</ETag></Part>"
            + "</CompleteMultipartUpload>";

        var parsed = MultipartXmlParser.ParseCompleteMultipartUpload(Body(xml));

        Assert.Equal([new CompletedPart(1, "aaa", null), new CompletedPart(2, "bbb-1", null), new CompletedPart(3, "ccc", null)], parsed.Parts);
    }

    [Fact]
    public void ParseCompleteMultipartUpload_PartChecksums_AreReturned()
    {
        var xml = "<CompleteMultipartUpload><Part><ETag>\"e\"</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32>"
            + "<ChecksumSHA256>s</ChecksumSHA256><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>";

        var part = Assert.Single(MultipartXmlParser.ParseCompleteMultipartUpload(Body(xml)).Parts);

        Assert.Equal(new S3Checksums { Crc32 = "AAAAAA==", Sha256 = "s" }, part.Checksums);
    }

    [Fact]
    public void ParseCompleteMultipartUpload_OrderAndRangeNotChecked_LeftToVault()
    {
        var xml = "<CompleteMultipartUpload><Part><PartNumber>3</PartNumber><ETag>e</ETag></Part>"
            + "<Part><PartNumber>-1</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>";

        Assert.Equal([3, -1], MultipartXmlParser.ParseCompleteMultipartUpload(Body(xml)).Parts.Select(p => p.PartNumber));
    }

    [Fact]
    public void ParseCompleteMultipartUpload_TenThousandPartsWithChecksums_FitsDefaultCap()
    {
        var builder = new StringBuilder("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n");
        for (var i = 1; i <= 10000; i++)
        {
            builder.Append("  <Part>\n    <ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag>\n")
                .Append("    <ChecksumSHA256>47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=</ChecksumSHA256>\n")
                .Append("    <PartNumber>").Append(i).Append("</PartNumber>\n  </Part>\n");
        }

        var parsed = MultipartXmlParser.ParseCompleteMultipartUpload(Body(builder.Append("</CompleteMultipartUpload>").ToString()));

        Assert.Equal(10000, parsed.Parts.Count);
    }

    [Theory]
    [InlineData("<CompleteMultipartUpload></CompleteMultipartUpload>")]
    [InlineData("<CompleteMultipartUpload><Part><ETag>e</ETag></Part></CompleteMultipartUpload>")]
    [InlineData("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>")]
    [InlineData("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"\"</ETag></Part></CompleteMultipartUpload>")]
    [InlineData("<CompleteMultipartUpload><Part><PartNumber>abc</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>")]
    [InlineData("<CompleteMultipartUpload><Part><PartNumber>1.5</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>")]
    [InlineData("<CompleteMultipartUpload><Part><PartNumber>99999999999</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>")]
    [InlineData("<CompleteMultipartUpload><Part><PartNumber>0x10</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>")]
    [InlineData("<CompleteMultipartUpload><Part><PartNumber>١</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>")]
    [InlineData("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><PartNumber>2</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>")]
    [InlineData("<CompleteMultipartUploadResult><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part></CompleteMultipartUploadResult>")]
    public void ParseCompleteMultipartUpload_Malformed_IsMalformedXml(string xml) =>
        S3Assert.Malformed(() => MultipartXmlParser.ParseCompleteMultipartUpload(Body(xml)));
}
