using Ztdr.S3.Errors;
using Ztdr.Vault.Api;

namespace Ztdr.Vault.Tests.Api;

public sealed class RequestTargetTests
{
    private static readonly string[] BaseDomains = ["s3.example.com", "vault.local"];

    [Theory]
    [InlineData("/bucket/key", "bucket", "key")]
    [InlineData("/bucket/a/b/c.txt", "bucket", "a/b/c.txt")]
    [InlineData("/bucket", "bucket", null)]
    [InlineData("/bucket/", "bucket", null)]
    [InlineData("/", null, null)]
    [InlineData("/bucket/a%20b", "bucket", "a b")]
    [InlineData("/bucket/%F0%9F%98%80", "bucket", "😀")]
    [InlineData("/bucket/a//b", "bucket", "a//b")]
    public void Parse_PathStyle_SplitsBucketAndKey(string target, string? bucket, string? key)
    {
        var parsed = RequestTarget.Parse(target, "localhost:9000", BaseDomains);

        Assert.Equal(bucket, parsed.Bucket);
        Assert.Equal(key, parsed.Key);
    }

    [Theory]
    [InlineData("bucket.s3.example.com", "/key", "bucket", "key")]
    [InlineData("bucket.s3.example.com:9443", "/a/b", "bucket", "a/b")]
    [InlineData("my.dotted.bucket.vault.local", "/k", "my.dotted.bucket", "k")]
    [InlineData("bucket.S3.EXAMPLE.com", "/k", "bucket", "k")]
    [InlineData("bucket.s3.example.com", "/", "bucket", null)]
    public void Parse_VirtualHostUnderBaseDomain_TakesBucketFromHost(string host, string target, string bucket, string? key)
    {
        var parsed = RequestTarget.Parse(target, host, BaseDomains);

        Assert.Equal(bucket, parsed.Bucket);
        Assert.Equal(key, parsed.Key);
    }

    [Theory]
    [InlineData("s3.example.com")]
    [InlineData("s3.example.com:9443")]
    [InlineData("bucket.other.example.com")]
    [InlineData("evils3.example.com")]
    [InlineData(null)]
    public void Parse_HostNotBelowBaseDomain_IsPathStyle(string? host)
    {
        var parsed = RequestTarget.Parse("/bucket/key", host, BaseDomains);

        Assert.Equal("bucket", parsed.Bucket);
        Assert.Equal("key", parsed.Key);
    }

    [Fact]
    public void Parse_NoBaseDomainsConfigured_IsAlwaysPathStyle()
    {
        var parsed = RequestTarget.Parse("/bucket/key", "other.s3.example.com", []);

        Assert.Equal("bucket", parsed.Bucket);
        Assert.Equal("key", parsed.Key);
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("10.0.0.1:9000")]
    [InlineData("[::1]")]
    [InlineData("[::1]:9000")]
    [InlineData("[fe80::1]:443")]
    public void Parse_IpHost_IsAlwaysPathStyleEvenWhenItEndsInABaseDomain(string host)
    {
        // "0.1" as a base domain would make "10.0.0.1" look like bucket "10.0" if IP hosts were not excluded first.
        var parsed = RequestTarget.Parse("/bucket/key", host, ["0.1", "1", "s3.example.com"]);

        Assert.Equal("bucket", parsed.Bucket);
        Assert.Equal("key", parsed.Key);
    }

    [Theory]
    [InlineData("/bucket/a%2Fb", "a/b")]
    [InlineData("/bucket/a%2fb%2Fc", "a/b/c")]
    [InlineData("/bucket/%2Fleading", "/leading")]
    public void Parse_EncodedSlashInKey_DecodesToSlash(string target, string key)
    {
        Assert.Equal(key, RequestTarget.Parse(target, null, []).Key);
    }

    [Theory]
    [InlineData("/bucket/a+b", "a+b")]
    [InlineData("/bucket/a%2Bb", "a+b")]
    [InlineData("/bucket/+", "+")]
    public void Parse_PlusInPath_IsLiteral(string target, string key)
    {
        Assert.Equal(key, RequestTarget.Parse(target, null, []).Key);
    }

    [Fact]
    public void Parse_PlusInQuery_IsSpace()
    {
        var parsed = RequestTarget.Parse("/bucket?prefix=a+b&delimiter=%2B", null, []);

        Assert.Equal("a b", parsed.Get("prefix"));
        Assert.Equal("+", parsed.Get("delimiter"));
    }

    [Fact]
    public void Parse_QueryFlagsAndValues_AreDecoded()
    {
        var parsed = RequestTarget.Parse("/bucket/key?versionId=01ARZ3NDEKTSV4RRFFQ69G5FAV&uploads&&x-id=a%26b&versionId=second", null, []);

        Assert.True(parsed.Has("uploads"));
        Assert.Equal(string.Empty, parsed.Get("uploads"));
        Assert.Equal("a&b", parsed.Get("x-id"));
        Assert.Equal("01ARZ3NDEKTSV4RRFFQ69G5FAV", parsed.Get("versionId"));
        Assert.Null(parsed.Get("missing"));
        Assert.False(parsed.Has(string.Empty));
    }

    [Theory]
    [InlineData("/bucket/..")]
    [InlineData("/bucket/../other/key")]
    [InlineData("/bucket/a/../b")]
    [InlineData("/bucket/a/..")]
    [InlineData("/bucket/a/./b")]
    [InlineData("/bucket/.")]
    [InlineData("/bucket/%2E%2E/x")]
    [InlineData("/bucket/a%2F..%2Fb")]
    [InlineData("/bucket/a%00b")]
    public void Parse_DotSegmentOrNulInKey_IsInvalidArgument(string target)
    {
        var error = Assert.Throws<S3Exception>(() => RequestTarget.Parse(target, null, []));

        Assert.Equal("InvalidArgument", error.Error.Code);
    }

    [Fact]
    public void Parse_DotDotSegmentUnderVirtualHost_IsInvalidArgument()
    {
        var error = Assert.Throws<S3Exception>(() => RequestTarget.Parse("/../secret", "bucket.s3.example.com", BaseDomains));

        Assert.Equal("InvalidArgument", error.Error.Code);
    }

    [Theory]
    [InlineData("/bucket/a..b")]
    [InlineData("/bucket/...")]
    [InlineData("/bucket/.hidden")]
    [InlineData("/bucket/a/..b/c")]
    public void Parse_DotsThatAreNotASegment_AreAllowed(string target)
    {
        Assert.NotNull(RequestTarget.Parse(target, null, []).Key);
    }

    [Fact]
    public void Parse_KeyOf1024Bytes_IsAccepted()
    {
        var key = new string('k', 1024);

        Assert.Equal(key, RequestTarget.Parse("/bucket/" + key, null, []).Key);
    }

    [Fact]
    public void Parse_KeyOver1024Bytes_IsKeyTooLongError()
    {
        var error = Assert.Throws<S3Exception>(() => RequestTarget.Parse("/bucket/" + new string('k', 1025), null, []));

        Assert.Equal("KeyTooLongError", error.Error.Code);
        Assert.Contains(new KeyValuePair<string, string>("Size", "1025"), error.Details);
    }

    [Fact]
    public void Parse_KeyUnder1024CharactersButOver1024Utf8Bytes_IsKeyTooLongError()
    {
        // 342 euro signs are 342 UTF-16 characters but 1026 UTF-8 bytes: the limit is on bytes.
        var encoded = string.Concat(Enumerable.Repeat("%E2%82%AC", 342));

        var error = Assert.Throws<S3Exception>(() => RequestTarget.Parse("/bucket/" + encoded, null, []));

        Assert.Equal("KeyTooLongError", error.Error.Code);
    }

    [Theory]
    [InlineData("/bucket/%FF")]
    [InlineData("/bucket/%C3")]
    [InlineData("/bucket/%C0%AF")]
    [InlineData("/bucket/%ED%A0%80")]
    [InlineData("/bucket/%F0%9F%98")]
    public void Parse_InvalidUtf8InPath_IsInvalidArgument(string target)
    {
        var error = Assert.Throws<S3Exception>(() => RequestTarget.Parse(target, null, []));

        Assert.Equal("InvalidArgument", error.Error.Code);
    }

    [Fact]
    public void Parse_InvalidUtf8InQuery_IsInvalidArgument()
    {
        var error = Assert.Throws<S3Exception>(() => RequestTarget.Parse("/bucket?prefix=%FF", null, []));

        Assert.Equal("InvalidArgument", error.Error.Code);
    }

    [Theory]
    [InlineData("bucket/key")]
    [InlineData("")]
    [InlineData("http://host/bucket/key")]
    public void Parse_TargetNotAnAbsolutePath_IsInvalidRequest(string target)
    {
        var error = Assert.Throws<S3Exception>(() => RequestTarget.Parse(target, null, []));

        Assert.Equal("InvalidRequest", error.Error.Code);
    }
}
