using System.Text;
using Ztdr.S3.Xml;
using static Ztdr.S3.Tests.Xml.XmlText;

namespace Ztdr.S3.Tests.Xml;

public sealed class ObjectXmlParserTests
{
    [Fact]
    public void ParseDelete_BotocoreBody_ReturnsObjectsInOrder()
    {
        var xml = $"<Delete xmlns=\"{Ns}\"><Object><Key>a</Key></Object><Object><Key>b</Key><VersionId>v1</VersionId></Object><Quiet>true</Quiet></Delete>";

        var parsed = ObjectXmlParser.ParseDelete(Body(xml));

        Assert.True(parsed.Quiet);
        Assert.Equal([new ObjectIdentifier("a", null), new ObjectIdentifier("b", "v1")], parsed.Objects);
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("<Quiet>false</Quiet>", false)]
    [InlineData("<Quiet>true</Quiet>", true)]
    [InlineData("<Quiet>1</Quiet>", true)]
    [InlineData("<Quiet> 0 </Quiet>", false)]
    public void ParseDelete_Quiet_FollowsXsBoolean(string quiet, bool expected) =>
        Assert.Equal(expected, ObjectXmlParser.ParseDelete(Body($"<Delete>{quiet}<Object><Key>k</Key></Object></Delete>")).Quiet);

    [Theory]
    [InlineData("a b", "a b")]
    [InlineData("  lead and trail  ", "  lead and trail  ")]
    [InlineData("   ", "   ")]
    [InlineData("a+b", "a+b")]
    [InlineData("日本語/ファイル é 🎉", "日本語/ファイル é 🎉")]
    [InlineData("a&amp;b", "a&b")]
    [InlineData("a&lt;b&gt;", "a<b>")]
    [InlineData("&quot;q&quot;'", "\"q\"'")]
    [InlineData("cr&#xD;lf&#10;", "cr\rlf\n")]
    [InlineData("<![CDATA[x<y&z]]>", "x<y&z")]
    [InlineData("%20", "%20")]
    public void ParseDelete_SpecialKeys_AreTakenVerbatim(string keyXml, string expected) =>
        Assert.Equal(expected, ObjectXmlParser.ParseDelete(Body($"<Delete><Object><Key>{keyXml}</Key></Object></Delete>")).Objects[0].Key);

    [Fact]
    public void ParseDelete_ResultRoundTrip_KeysSurviveWriterAndParser()
    {
        string[] keys = ["a b", "a+b", "é日🎉", "a&b", "a<b>", " x "];
        var request = new StringBuilder("<Delete>");
        foreach (var key in keys)
        {
            request.Append("<Object><Key>").Append(System.Security.SecurityElement.Escape(key)).Append("</Key></Object>");
        }

        var parsed = ObjectXmlParser.ParseDelete(Body(request.Append("</Delete>").ToString()));
        var written = Of(ObjectXmlWriter.ToBytes(new DeleteResult([.. parsed.Objects.Select(o => new DeletedObject(o.Key))], [])));
        var reread = System.Xml.Linq.XDocument.Parse(written).Root!.Elements().Select(e => e.Element(e.Name.Namespace + "Key")!.Value);

        Assert.Equal(keys, reread);
    }

    [Fact]
    public void ParseDelete_UnknownElements_AreIgnored()
    {
        var xml = "<Delete><Object><Key>k</Key><ETag>\"e\"</ETag><Size>3</Size><Future/></Object><Other>x</Other></Delete>";

        Assert.Equal([new ObjectIdentifier("k", null)], ObjectXmlParser.ParseDelete(Body(xml)).Objects);
    }

    [Fact]
    public void ParseDelete_EmptyVersionId_IsPassedThroughNotNull() =>
        Assert.Equal("", ObjectXmlParser.ParseDelete(Body("<Delete><Object><Key>k</Key><VersionId></VersionId></Object></Delete>")).Objects[0].VersionId);

    [Fact]
    public void ParseDelete_ThousandMaximumLengthKeys_FitsDefaultCap()
    {
        var body = DeleteBody(1000, new string('k', 1024));

        Assert.Equal(1000, ObjectXmlParser.ParseDelete(body).Objects.Count);
    }

    [Fact]
    public void ParseDelete_1001Objects_IsMalformedXml() =>
        S3Assert.Malformed(() => ObjectXmlParser.ParseDelete(DeleteBody(1001, "k")));

    [Theory]
    [InlineData("<Delete></Delete>")]
    [InlineData("<Delete><Quiet>true</Quiet></Delete>")]
    [InlineData("<Delete><Object></Object></Delete>")]
    [InlineData("<Delete><Object><Key></Key></Object></Delete>")]
    [InlineData("<Delete><Object><VersionId>v</VersionId></Object></Delete>")]
    [InlineData("<Delete><Object><Key>a</Key><Key>b</Key></Object></Delete>")]
    [InlineData("<Delete><Quiet>yes</Quiet><Object><Key>k</Key></Object></Delete>")]
    [InlineData("<Delete><Quiet>True</Quiet><Object><Key>k</Key></Object></Delete>")]
    [InlineData("<DeleteObjects><Object><Key>k</Key></Object></DeleteObjects>")]
    [InlineData("<Delete><Object><Key>k</Key></Object>")]
    [InlineData("")]
    public void ParseDelete_Malformed_IsMalformedXml(string xml) =>
        S3Assert.Malformed(() => ObjectXmlParser.ParseDelete(Body(xml)));

    private static byte[] DeleteBody(int count, string key)
    {
        var builder = new StringBuilder("<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>");
        for (var i = 0; i < count; i++)
        {
            builder.Append("<Object><Key>").Append(key).Append("</Key></Object>");
        }

        return Body(builder.Append("</Delete>").ToString());
    }
}
