using Ztdr.S3.Errors;
using Ztdr.Vault.Api;

namespace Ztdr.Vault.Tests.Api;

public sealed class BucketNamesTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("my-bucket")]
    [InlineData("my.bucket.name")]
    [InlineData("a1-b2.c3")]
    [InlineData("0abc")]
    [InlineData("123")]
    [InlineData("2024")]
    [InlineData("0x1f")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("backup-zone-a.example")]
    public void IsValid_DnsCompatibleName_IsTrue(string name)
    {
        Assert.True(BucketNames.IsValid(name));
        BucketNames.Validate(name);
    }

    [Fact]
    public void IsValid_63Characters_IsTrue() => Assert.True(BucketNames.IsValid(new string('a', 63)));

    [Theory]
    [InlineData("")]
    [InlineData("ab")]
    [InlineData("Abc")]
    [InlineData("ABC")]
    [InlineData("-abc")]
    [InlineData("abc-")]
    [InlineData(".abc")]
    [InlineData("abc.")]
    [InlineData("a..b")]
    [InlineData("a_b")]
    [InlineData("a b")]
    [InlineData("a/b")]
    [InlineData("bücket")]
    [InlineData("192.168.5.4")]
    [InlineData("10.0.0.1")]
    [InlineData("xn--abc")]
    [InlineData("bucket-s3alias")]
    public void IsValid_NotAllowed_IsFalseAndValidateThrowsInvalidBucketName(string name)
    {
        Assert.False(BucketNames.IsValid(name));
        var error = Assert.Throws<S3Exception>(() => BucketNames.Validate(name));
        Assert.Equal("InvalidBucketName", error.Error.Code);
        Assert.Contains(new KeyValuePair<string, string>("BucketName", name), error.Details);
    }

    [Fact]
    public void IsValid_64Characters_IsFalse() => Assert.False(BucketNames.IsValid(new string('a', 64)));
}
