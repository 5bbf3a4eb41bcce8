using Ztdr.S3.Errors;
using Ztdr.S3.Xml;
using static Ztdr.S3.Tests.Xml.XmlText;

namespace Ztdr.S3.Tests.Xml;

public sealed class ErrorXmlWriterTests
{
    [Fact]
    public void ToBytes_ExceptionWithDetails_WritesDetailsInOrderWithoutNamespace()
    {
        var exception = new S3Exception(S3Errors.InvalidArgument, "The retain until date must be in the future!")
            .With("ArgumentName", "x-amz-object-lock-retain-until-date")
            .With("ArgumentValue", "2000-01-01T00:00:00Z");

        Assert.Equal(
            Declaration + "<Error><Code>InvalidArgument</Code><Message>The retain until date must be in the future!</Message>"
            + "<ArgumentName>x-amz-object-lock-retain-until-date</ArgumentName><ArgumentValue>2000-01-01T00:00:00Z</ArgumentValue>"
            + "<RequestId>REQ1</RequestId><HostId>HOST1</HostId></Error>",
            Of(ErrorXmlWriter.ToBytes(exception, "REQ1", "HOST1")));
    }

    [Fact]
    public void ToBytes_DefaultMessage_UsesCatalogMessage() =>
        Assert.Equal(
            Declaration + "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"
            + "<Key>a&lt;b</Key><RequestId>R</RequestId><HostId>H</HostId></Error>",
            Of(ErrorXmlWriter.ToBytes(new S3Exception(S3Errors.NoSuchKey).With("Key", "a<b"), "R", "H")));

    [Fact]
    public void ToBytes_KeyWithControlCharacter_ReplacesItInsteadOfFailing() =>
        Assert.Equal(
            Declaration + "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"
            + "<Key>a\uFFFDb</Key><RequestId>R</RequestId><HostId>H</HostId></Error>",
            Of(ErrorXmlWriter.ToBytes(new S3Exception(S3Errors.NoSuchKey).With("Key", "a\u0001b"), "R", "H")));
}
