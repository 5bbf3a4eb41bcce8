using Ztdr.S3.Signing;

namespace Ztdr.S3.Tests.Signing;

/// <summary>S3's canonical URI, query and header rules, one case per way clients and keys differ.</summary>
public sealed class CanonicalFormTests
{
    [Theory]
    [InlineData("", "/")]
    [InlineData("/", "/")]
    [InlineData("/bucket/my%20key", "/bucket/my%20key")]
    [InlineData("/bucket/my key", "/bucket/my%20key")]
    [InlineData("/bucket/%D0%BA%D0%BB%D1%8E%D1%87", "/bucket/%D0%BA%D0%BB%D1%8E%D1%87")]
    [InlineData("/bucket/ключ", "/bucket/%D0%BA%D0%BB%D1%8E%D1%87")]
    [InlineData("/bucket/%c3%a9t%c3%a9", "/bucket/%C3%A9t%C3%A9")]
    [InlineData("/bucket/a+b", "/bucket/a%2Bb")]
    [InlineData("/bucket/a%2Bb", "/bucket/a%2Bb")]
    [InlineData("/bucket//a//b/", "/bucket//a//b/")]
    [InlineData("/bucket/../a/./b/..", "/bucket/../a/./b/..")]
    [InlineData("/bucket/a%2Fb", "/bucket/a/b")]
    [InlineData("/bucket/a%2fb", "/bucket/a/b")]
    [InlineData("/bucket/!*'()$@:=,;&", "/bucket/%21%2A%27%28%29%24%40%3A%3D%2C%3B%26")]
    [InlineData("/bucket/A-Z_a.z~0", "/bucket/A-Z_a.z~0")]
    [InlineData("/bucket/%7E%41", "/bucket/~A")]
    [InlineData("/bucket/100%", "/bucket/100%25")]
    [InlineData("/bucket/%zz", "/bucket/%25zz")]
    [InlineData("/bucket/%FF%FE", "/bucket/%FF%FE")]
    [InlineData("/bucket/%2520", "/bucket/%2520")]
    public void CanonicalUri_RawPath_DecodesOnceAndReencodesTheS3Way(string rawPath, string expected) =>
        Assert.Equal(expected, SigV4.CanonicalUri(rawPath));

    [Theory]
    [InlineData("", "")]
    [InlineData("b=2&a=1", "a=1&b=2")]
    [InlineData("prefix=photos/2013/", "prefix=photos%2F2013%2F")]
    [InlineData("prefix=photos%2F2013%2F", "prefix=photos%2F2013%2F")]
    [InlineData("a=x+y", "a=x%20y")]
    [InlineData("a=x%20y", "a=x%20y")]
    [InlineData("a=%2B", "a=%2B")]
    [InlineData("a=2&a=1&a=10", "a=1&a=10&a=2")]
    [InlineData("uploads", "uploads=")]
    [InlineData("versionId=&uploads", "uploads=&versionId=")]
    [InlineData("a=1&&b=2&", "a=1&b=2")]
    [InlineData("a=b=c", "a=b%3Dc")]
    [InlineData("a_b=2&a-b=1&A=3", "A=3&a-b=1&a_b=2")]
    [InlineData("key=%E2%82%AC&x-id=PutObject", "key=%E2%82%AC&x-id=PutObject")]
    [InlineData("marker=%7efile*", "marker=~file%2A")]
    public void CanonicalQuery_RawQuery_DecodesReencodesAndSorts(string rawQuery, string expected) =>
        Assert.Equal(expected, SigV4.CanonicalQuery(rawQuery));

    [Fact]
    public void CanonicalQuery_ExcludedName_LeavesOnlyThatParameterOut() =>
        Assert.Equal("X-Amz-Date=1&a=1", SigV4.CanonicalQuery("a=1&X-Amz-Signature=abc&X-Amz-Date=1", "X-Amz-Signature"));

    [Fact]
    public void CanonicalRequest_HeaderValues_AreTrimmedAndCollapsedAndNamesLowerCasedAndSorted()
    {
        var canonical = SigV4.CanonicalRequest("PUT", "/", "",
            [new("X-Amz-Meta-B", "  two   spaces\tand tab  "), new("Host", "h"), new("x-amz-meta-a", "a,b")], "UNSIGNED-PAYLOAD");

        Assert.Equal("PUT\n/\n\nhost:h\nx-amz-meta-a:a,b\nx-amz-meta-b:two spaces and tab\n\nhost;x-amz-meta-a;x-amz-meta-b\nUNSIGNED-PAYLOAD", canonical);
    }

    [Fact]
    public void SignedRequest_RepeatedHeader_IsJoinedWithComma()
    {
        var request = new SignedRequest("GET", "/", [new("X-Amz-Meta-A", "1"), new("x-amz-meta-a", "2")]);

        Assert.True(request.TryGetHeader("x-amz-meta-a", out var value));
        Assert.Equal("1,2", value);
        Assert.Equal(["x-amz-meta-a"], request.HeaderNames);
    }

    [Fact]
    public void DeriveSigningKey_SameInputs_IsDeterministicAndScopeBound()
    {
        var key = SigV4.DeriveSigningKey("secret", "20260101", "eu-west-1");

        Assert.Equal(32, key.Length);
        Assert.Equal(key, SigV4.DeriveSigningKey("secret", "20260101", "eu-west-1"));
        Assert.NotEqual(key, SigV4.DeriveSigningKey("secret", "20260102", "eu-west-1"));
        Assert.NotEqual(key, SigV4.DeriveSigningKey("secret", "20260101", "us-east-1"));
    }
}
