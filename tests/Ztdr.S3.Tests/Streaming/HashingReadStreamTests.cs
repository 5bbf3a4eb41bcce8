using System.Text;
using Ztdr.S3.Checksums;
using Ztdr.S3.Errors;
using Ztdr.S3.Streaming;

namespace Ztdr.S3.Tests.Streaming;

public sealed class HashingReadStreamTests
{
    private static readonly byte[] CheckInput = Encoding.ASCII.GetBytes("123456789");

    [Fact]
    public void Read_ToEnd_ExposesLengthAndEveryDigest()
    {
        using var stream = new HashingReadStream(new TrickleStream(CheckInput, 2), computeSha256: true, ChecksumAlgorithm.Crc32c);

        var copy = AwsChunkedStreamTests.ReadAll(stream, 1);

        Assert.Equal(CheckInput, copy);
        Assert.True(stream.IsCompleted);
        Assert.Equal(9, stream.BytesRead);
        Assert.Equal("25f9e794323b453885f5181f1b624d0b", stream.GetMd5Hex());
        Assert.Equal(Convert.FromHexString("25f9e794323b453885f5181f1b624d0b"), stream.GetMd5());
        Assert.Equal("15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225", stream.GetSha256Hex());
        Assert.Equal("4waSgw==", stream.GetChecksumBase64());
    }

    [Fact]
    public void GetMd5_BeforeEndOfStream_Throws()
    {
        using var stream = new HashingReadStream(new MemoryStream(CheckInput));
        stream.ReadByte();

        Assert.Throws<InvalidOperationException>(() => stream.GetMd5Hex());
    }

    [Fact]
    public void Verify_MatchingValues_DoNotThrow()
    {
        using var stream = new HashingReadStream(new MemoryStream(CheckInput), computeSha256: true, ChecksumAlgorithm.Crc32);
        AwsChunkedStreamTests.ReadAll(stream, 4);

        stream.VerifyContentMd5(Convert.FromBase64String("JfnnlDI7RTiF9RgfG2JNCw=="));
        stream.VerifySha256("15E2B0D3C33891EBB0F1EF609EC419420C20E320CE94C65FBC8C3312448EB225");
        stream.VerifyChecksum("y/Q5Jg==");
    }

    [Fact]
    public void VerifyChecksum_Mismatch_IsBadDigest()
    {
        using var stream = new HashingReadStream(new MemoryStream(CheckInput), checksum: ChecksumAlgorithm.Crc32);
        AwsChunkedStreamTests.ReadAll(stream, 4);

        var ex = Assert.Throws<S3Exception>(() => stream.VerifyChecksum("AAAAAA=="));

        Assert.Same(S3Errors.BadDigest, ex.Error);
    }

    [Fact]
    public void VerifyContentMd5_Mismatch_IsBadDigest()
    {
        using var stream = new HashingReadStream(new MemoryStream(CheckInput));
        AwsChunkedStreamTests.ReadAll(stream, 4);

        var ex = Assert.Throws<S3Exception>(() => stream.VerifyContentMd5(new byte[16]));

        Assert.Same(S3Errors.BadDigest, ex.Error);
    }

    [Fact]
    public void VerifySha256_Mismatch_IsXAmzContentSha256Mismatch()
    {
        using var stream = new HashingReadStream(new MemoryStream(CheckInput), computeSha256: true);
        AwsChunkedStreamTests.ReadAll(stream, 4);

        var ex = Assert.Throws<S3Exception>(() => stream.VerifySha256(new string('0', 64)));

        Assert.Same(S3Errors.XAmzContentSha256Mismatch, ex.Error);
    }

    [Fact]
    public void Read_BeyondMaxLength_IsEntityTooLarge()
    {
        using var stream = new HashingReadStream(new MemoryStream(CheckInput), maxLength: 8);

        var ex = Assert.Throws<S3Exception>(() => AwsChunkedStreamTests.ReadAll(stream, 4));

        Assert.Same(S3Errors.EntityTooLarge, ex.Error);
    }

    [Fact]
    public async Task ReadAsync_OverChunkedTrailerBody_ChecksumMatchesTrailer()
    {
        // The vault's pipeline: aws-chunked decoding, then one hashing pass, then the trailer comparison.
        var data = AwsChunkedStreamTests.MakePayload(300_000);
        var crc = ObjectChecksum.ComputeBase64(ChecksumAlgorithm.Crc32, data);
        var signing = new ChunkSigningContext(
            AwsChunkedEncoder.DeriveSigningKey("secret", "20250101", "eu-west-1"),
            "20250101T120000Z",
            "20250101/eu-west-1/s3/aws4_request",
            new string('a', 64));
        var body = AwsChunkedEncoder.EncodeSigned(data, 81920, signing, [("x-amz-checksum-crc32", crc)], upperCaseHex: true);
        using var chunked = new AwsChunkedStream(new MemoryStream(body), signing, ["x-amz-checksum-crc32"], data.Length);
        using var hashing = new HashingReadStream(chunked, checksum: ChecksumAlgorithm.Crc32);

        var copy = await AwsChunkedStreamTests.ReadAllAsync(hashing, 16384);

        Assert.Equal(data, copy);
        hashing.VerifyChecksum(chunked.Trailers["x-amz-checksum-crc32"]);
        Assert.Equal(data.Length, hashing.BytesRead);
    }
}
