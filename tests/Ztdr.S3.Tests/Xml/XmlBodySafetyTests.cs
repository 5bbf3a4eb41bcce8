using System.Diagnostics;
using System.Text;
using Ztdr.S3.Xml;
using static Ztdr.S3.Tests.Xml.XmlText;

namespace Ztdr.S3.Tests.Xml;

/// <summary>Hostile and broken request bodies: every one must end as MalformedXML, never as expansion, I/O or a 500.</summary>
public sealed class XmlBodySafetyTests
{
    private const string BillionLaughs = """
        <?xml version="1.0"?>
        <!DOCTYPE lolz [
          <!ENTITY lol "lol">
          <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
          <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
          <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
          <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
          <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
          <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
          <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
          <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
        ]>
        <Delete><Object><Key>&lol9;</Key></Object></Delete>
        """;

    public static TheoryData<string> HostileBodies() =>
    [
        BillionLaughs,
        "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><Delete><Object><Key>&xxe;</Key></Object></Delete>",
        "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY xxe SYSTEM \"http://127.0.0.1:1/x\">]><Delete><Object><Key>&xxe;</Key></Object></Delete>",
        "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY % p SYSTEM \"http://127.0.0.1:1/evil.dtd\"> %p;]><Delete><Object><Key>k</Key></Object></Delete>",
        "<!DOCTYPE Delete SYSTEM \"http://127.0.0.1:1/delete.dtd\"><Delete><Object><Key>k</Key></Object></Delete>",
        "<!DOCTYPE Delete><Delete><Object><Key>k</Key></Object></Delete>",
        "<Delete><Object><Key>&undeclared;</Key></Object></Delete>",
    ];

    [Theory]
    [MemberData(nameof(HostileBodies))]
    public void ParseDelete_DtdOrEntity_IsMalformedXmlWithoutExpansion(string xml)
    {
        var clock = Stopwatch.StartNew();

        S3Assert.Malformed(() => ObjectXmlParser.ParseDelete(Body(xml)));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "rejection must not expand entities first");
    }

    [Theory]
    [MemberData(nameof(HostileBodies))]
    public void ParseLegalHold_DtdOrEntity_IsMalformedXml(string xml) =>
        S3Assert.Malformed(() => ObjectLockXmlParser.ParseLegalHold(Body(xml.Replace("Delete", "LegalHold", StringComparison.Ordinal))));

    public static TheoryData<byte[]> BrokenBodies() =>
    [
        Body("<Delete><Object><Key>k</Key></Object>"),
        Body("<Delete><Object><Key>k</Key></Object></Delete><Delete/>"),
        Body("<Delete><Object><Key>k</Kei></Object></Delete>"),
        Body("<Delete><Object><Key>a\u0001b</Key></Object></Delete>"),
        Body("<Delete><Object><Key>a&#1;b</Key></Object></Delete>"),
        Body("{\"Delete\":[]}"),
        Body("<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/x\"><Object><Key>k</Key></Object></Delete>"),
        Body("<s3:Delete xmlns:s3=\"urn:other\"><Object><Key>k</Key></Object></s3:Delete>"),
        [(byte)'<', (byte)'D', (byte)'>', 0xC3, 0x28, (byte)'<', (byte)'/', (byte)'D', (byte)'>'],
        [0xFF, 0xFE, 0x00],
    ];

    [Theory]
    [MemberData(nameof(BrokenBodies))]
    public void ParseDelete_NotWellFormedOrWrongRoot_IsMalformedXml(byte[] body) =>
        S3Assert.Malformed(() => ObjectXmlParser.ParseDelete(body));

    [Fact]
    public void ParseDelete_PrefixedS3Namespace_IsAccepted()
    {
        var xml = "<s3:Delete xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\"><s3:Object><s3:Key>k</s3:Key></s3:Object></s3:Delete>";

        Assert.Equal("k", ObjectXmlParser.ParseDelete(Body(xml)).Objects[0].Key);
    }

    [Fact]
    public void ParseDelete_CommentsAndProcessingInstructions_AreIgnored()
    {
        var xml = "<?xml version=\"1.0\"?><!-- c --><Delete><?pi x?><Object><Key>a<!-- c -->b</Key></Object></Delete>";

        Assert.Equal("ab", ObjectXmlParser.ParseDelete(Body(xml)).Objects[0].Key);
    }

    [Fact]
    public void ParseLegalHold_BodyOverCap_IsMalformedXml()
    {
        var xml = "<LegalHold><Status>ON</Status>" + new string(' ', S3Xml.DefaultMaxBodyBytes) + "</LegalHold>";

        S3Assert.Malformed(() => ObjectLockXmlParser.ParseLegalHold(Body(xml)));
    }

    [Fact]
    public void ParseLegalHold_BodyExactlyAtCap_IsAccepted()
    {
        const string Start = "<LegalHold><Status>ON</Status>";
        const string End = "</LegalHold>";
        var xml = Start + new string(' ', 100 - Start.Length - End.Length) + End;

        Assert.Equal(LegalHoldStatus.On, ObjectLockXmlParser.ParseLegalHold(Body(xml), maxBytes: 100).Status);
    }

    [Fact]
    public async Task ParseDeleteAsync_EndlessStream_StopsOneBytePastCap()
    {
        var stream = new EndlessStream();

        var exception = await Assert.ThrowsAsync<Errors.S3Exception>(async () => await ObjectXmlParser.ParseDeleteAsync(stream, maxBytes: 4096));

        Assert.Equal("MalformedXML", exception.Error.Code);
        Assert.Equal(4097, stream.BytesRead);
    }

    [Fact]
    public async Task ParseDeleteAsync_FromStream_MatchesSync()
    {
        var body = Body("<Delete><Object><Key>a b+c</Key><VersionId>v</VersionId></Object></Delete>");
        using var stream = new MemoryStream(body);

        var parsed = await ObjectXmlParser.ParseDeleteAsync(stream);

        Assert.Equal(ObjectXmlParser.ParseDelete(body).Objects, parsed.Objects);
    }

    [Fact]
    public async Task ParseCreateBucketConfigurationAsync_EmptyStream_ReturnsNullConstraint()
    {
        using var stream = new MemoryStream();

        Assert.Null((await BucketXmlParser.ParseCreateBucketConfigurationAsync(stream)).LocationConstraint);
    }

    [Fact]
    public void ParseDelete_DeclaredUtf16Body_IsAccepted()
    {
        var body = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-16\"?><Delete><Object><Key>é</Key></Object></Delete>")).ToArray();

        Assert.Equal("é", ObjectXmlParser.ParseDelete(body).Objects[0].Key);
    }

    /// <summary>A body that never ends, counting what the parser pulled from it.</summary>
    private sealed class EndlessStream : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            buffer.AsSpan(offset, count).Fill((byte)' ');
            BytesRead += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
