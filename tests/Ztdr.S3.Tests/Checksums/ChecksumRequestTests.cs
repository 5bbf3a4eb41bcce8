using Ztdr.S3.Checksums;
using Ztdr.S3.Errors;

namespace Ztdr.S3.Tests.Checksums;

public sealed class ChecksumRequestTests
{
    private static Func<string, string?> Headers(params (string Name, string Value)[] headers)
    {
        var map = headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.Ordinal);
        return name => map.GetValueOrDefault(name);
    }

    [Fact]
    public void Parse_NoChecksumHeaders_ReturnsNull()
    {
        Assert.Null(ChecksumRequest.Parse(Headers(("content-type", "text/plain"))));
    }

    [Fact]
    public void Parse_ChecksumHeaderWithMatchingSdkAlgorithm_ReturnsExpectedValue()
    {
        var requested = ChecksumRequest.Parse(Headers(
            ("x-amz-checksum-crc32", "y/Q5Jg=="),
            ("x-amz-sdk-checksum-algorithm", "CRC32")));

        Assert.NotNull(requested);
        Assert.Equal(ChecksumAlgorithm.Crc32, requested.Algorithm);
        Assert.Equal("y/Q5Jg==", requested.ExpectedBase64);
        Assert.False(requested.InTrailer);
    }

    [Fact]
    public void Parse_TrailerAnnounced_ReturnsAlgorithmWithoutValue()
    {
        var requested = ChecksumRequest.Parse(Headers(
            ("x-amz-trailer", "X-Amz-Checksum-Crc64nvme"),
            ("x-amz-sdk-checksum-algorithm", "crc64nvme")));

        Assert.NotNull(requested);
        Assert.Equal(ChecksumAlgorithm.Crc64Nvme, requested.Algorithm);
        Assert.True(requested.InTrailer);
        Assert.Equal("x-amz-checksum-crc64nvme", requested.HeaderName);
    }

    [Fact]
    public void Parse_TwoChecksumHeaders_IsInvalidRequest()
    {
        var ex = Assert.Throws<S3Exception>(() => ChecksumRequest.Parse(Headers(
            ("x-amz-checksum-crc32", "y/Q5Jg=="),
            ("x-amz-checksum-crc32c", "4waSgw=="))));

        Assert.Same(S3Errors.InvalidRequest, ex.Error);
        Assert.StartsWith("Expecting a single x-amz-checksum- header", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HeaderAndTrailer_IsInvalidRequest()
    {
        var ex = Assert.Throws<S3Exception>(() => ChecksumRequest.Parse(Headers(
            ("x-amz-checksum-crc32", "y/Q5Jg=="),
            ("x-amz-trailer", "x-amz-checksum-sha256"))));

        Assert.StartsWith("Expecting a single x-amz-checksum- header", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SdkAlgorithmWithoutHeaderOrTrailer_IsInvalidRequest()
    {
        var ex = Assert.Throws<S3Exception>(() => ChecksumRequest.Parse(Headers(("x-amz-sdk-checksum-algorithm", "CRC32"))));

        Assert.Same(S3Errors.InvalidRequest, ex.Error);
    }

    [Fact]
    public void Parse_SdkAlgorithmDisagreesWithHeader_IsInvalidRequest()
    {
        var ex = Assert.Throws<S3Exception>(() => ChecksumRequest.Parse(Headers(
            ("x-amz-checksum-crc32", "y/Q5Jg=="),
            ("x-amz-sdk-checksum-algorithm", "SHA256"))));

        Assert.Same(S3Errors.InvalidRequest, ex.Error);
    }

    [Theory]
    [InlineData("x-amz-checksum-sha512", "AAAA")]
    [InlineData("x-amz-checksum-md5", "AAAA")]
    [InlineData("x-amz-checksum-xxhash64", "AAAA")]
    [InlineData("x-amz-checksum-xxhash3", "AAAA")]
    [InlineData("x-amz-checksum-xxhash128", "AAAA")]
    [InlineData("x-amz-sdk-checksum-algorithm", "SHA512")]
    [InlineData("x-amz-trailer", "x-amz-checksum-xxhash64")]
    public void Parse_UnsupportedAlgorithm_IsInvalidRequest(string name, string value)
    {
        var ex = Assert.Throws<S3Exception>(() => ChecksumRequest.Parse(Headers((name, value))));

        Assert.Same(S3Errors.InvalidRequest, ex.Error);
        Assert.StartsWith("Checksum algorithm provided is unsupported", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x-amz-checksum-crc32", "rosUhgp5mIg=")] // 8 bytes for a 4-byte digest
    [InlineData("x-amz-checksum-crc32", "y/Q5Jg")] // unpadded
    [InlineData("x-amz-checksum-crc64nvme", "y/Q5Jg==")] // 4 bytes for an 8-byte digest
    [InlineData("x-amz-checksum-sha256", "not*base64")]
    [InlineData("x-amz-checksum-sha1", "")]
    public void Parse_MalformedValue_IsInvalidRequest(string name, string value)
    {
        var ex = Assert.Throws<S3Exception>(() => ChecksumRequest.Parse(Headers((name, value))));

        Assert.Same(S3Errors.InvalidRequest, ex.Error);
    }

    [Fact]
    public void Parse_NonChecksumTrailer_IsInvalidRequest()
    {
        var ex = Assert.Throws<S3Exception>(() => ChecksumRequest.Parse(Headers(("x-amz-trailer", "x-amz-meta-foo"))));

        Assert.Same(S3Errors.InvalidRequest, ex.Error);
    }

    [Fact]
    public void ParseContentMd5_ValidValue_ReturnsSixteenBytes()
    {
        var md5 = ChecksumRequest.ParseContentMd5(Headers(("content-md5", "JfnnlDI7RTiF9RgfG2JNCw==")));

        Assert.Equal(Convert.FromHexString("25f9e794323b453885f5181f1b624d0b"), md5);
    }

    [Fact]
    public void ParseContentMd5_Absent_ReturnsNull()
    {
        Assert.Null(ChecksumRequest.ParseContentMd5(Headers()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("JfnnlDI7RTiF9RgfG2JN")] // 15 bytes
    [InlineData("y/Q5Jg==")]
    [InlineData("25f9e794323b453885f5181f1b624d0b")] // hex, not base64 of 16 bytes
    [InlineData("%%%")]
    public void ParseContentMd5_Malformed_IsInvalidDigest(string value)
    {
        var ex = Assert.Throws<S3Exception>(() => ChecksumRequest.ParseContentMd5(Headers(("content-md5", value))));

        Assert.Same(S3Errors.InvalidDigest, ex.Error);
    }

    [Fact]
    public void TrailerNames_CommaSeparatedMixedCase_AreLowerCasedAndTrimmed()
    {
        var names = ChecksumRequest.TrailerNames(Headers(("x-amz-trailer", " X-Amz-Checksum-CRC32 , x-amz-checksum-sha1")));

        Assert.Equal(["x-amz-checksum-crc32", "x-amz-checksum-sha1"], names);
    }
}
