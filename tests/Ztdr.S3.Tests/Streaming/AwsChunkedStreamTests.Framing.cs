using System.Text;
using Ztdr.S3.Checksums;
using Ztdr.S3.Errors;
using Ztdr.S3.Streaming;

namespace Ztdr.S3.Tests.Streaming;

/// <summary>Malformed framing: truncated bodies, bad sizes, lying lengths and trailers that break the announcement.</summary>
public sealed partial class AwsChunkedStreamTests
{
    [Fact]
    public void Read_MissingFinalChunk_IsIncompleteBody()
    {
        var body = Encoding.Latin1.GetString(AwsChunkedEncoder.EncodeSigned(Payload, 65536, Example));
        body = body[..(body.LastIndexOf("0;chunk-signature=", StringComparison.Ordinal))];

        var ex = ReadExpectingFailure(Encoding.Latin1.GetBytes(body), Example, null, Payload.Length);

        Assert.Same(S3Errors.IncompleteBody, ex.Error);
    }

    [Theory]
    [InlineData(10)] // inside the first header line
    [InlineData(5000)] // inside chunk data
    [InlineData(-2)] // the final CRLF
    public void Read_TruncatedBody_IsIncompleteBody(int cut)
    {
        var full = AwsChunkedEncoder.EncodeUnsigned(Payload, 65536, [(Crc32Trailer, "AAAAAA==")]);
        var body = full.AsSpan(0, cut > 0 ? cut : full.Length + cut).ToArray();

        var ex = ReadExpectingFailure(body, null, [Crc32Trailer], Payload.Length);

        Assert.Same(S3Errors.IncompleteBody, ex.Error);
    }

    [Fact]
    public void Read_OversizedHeaderLine_IsRejectedWithoutReadingOn()
    {
        var body = AwsChunkedEncoder.Ascii("3;" + new string('x', 5000) + "\r\nabc\r\n0\r\n\r\n");

        var ex = ReadExpectingFailure(body, null, null, 3);

        Assert.Same(S3Errors.InvalidRequest, ex.Error);
    }

    [Fact]
    public void Read_EndlessLineWithoutNewline_FailsAtLineLimit()
    {
        // A body that never sends '\n' must not be buffered without bound.
        var inner = new RepeatingStream((byte)'f');

        using var stream = new AwsChunkedStream(inner, null, null, null);
        var ex = Assert.Throws<S3Exception>(() => ReadAll(stream, 100));

        Assert.Same(S3Errors.InvalidRequest, ex.Error);
        Assert.True(inner.BytesServed <= AwsChunkedStream.MaxLineLength + 4096);
    }

    [Theory]
    [InlineData("zz")]
    [InlineData("-1")]
    [InlineData("+3")]
    [InlineData("0x3")]
    [InlineData(" 3")]
    [InlineData("")]
    [InlineData("FFFFFFFFFFFFFFFFFFFFFFFF")] // would overflow a 64-bit size
    [InlineData("7FFFFFFF")]
    [InlineData("1000001")] // 16 MiB + 1
    public void Read_BadChunkSize_IsInvalidRequest(string size)
    {
        var body = AwsChunkedEncoder.Ascii($"{size}\r\nabc\r\n0\r\n\r\n");

        var ex = ReadExpectingFailure(body, null, null, null);

        Assert.Same(S3Errors.InvalidRequest, ex.Error);
    }

    [Fact]
    public void Read_ChunkLongerThanDeclared_IsInvalidRequest()
    {
        var ex = ReadExpectingFailure(AwsChunkedEncoder.Ascii("3\r\nabcd\r\n0\r\n\r\n"), null, null, null);

        Assert.Same(S3Errors.InvalidRequest, ex.Error);
    }

    [Fact]
    public void Read_DecodedLengthDeclaredTooLarge_IsIncompleteBody()
    {
        var body = AwsChunkedEncoder.EncodeSigned(Payload, 65536, Example);

        var ex = ReadExpectingFailure(body, Example, null, Payload.Length + 1);

        Assert.Same(S3Errors.IncompleteBody, ex.Error);
    }

    [Fact]
    public void Read_DecodedLengthDeclaredTooSmall_IsIncompleteBodyBeforeExcessIsHandedOut()
    {
        var body = AwsChunkedEncoder.EncodeSigned(Payload, 65536, Example);

        using var stream = new AwsChunkedStream(new MemoryStream(body), Example, null, 65536 + 10);
        var received = new MemoryStream();
        var ex = Assert.Throws<S3Exception>(() => CopyInto(stream, received, 4096));

        Assert.Same(S3Errors.IncompleteBody, ex.Error);
        Assert.Equal(65536, received.Length);
    }

    [Fact]
    public void Read_TrailerNotAnnounced_IsInvalidRequest()
    {
        var body = AwsChunkedEncoder.EncodeUnsigned(Payload, 65536, [("x-amz-checksum-sha256", "AAAA")]);

        var ex = ReadExpectingFailure(body, null, [Crc32Trailer], Payload.Length);

        Assert.Same(S3Errors.InvalidRequest, ex.Error);
    }

    [Fact]
    public void Read_AnnouncedTrailerMissing_IsInvalidRequest()
    {
        var body = AwsChunkedEncoder.EncodeUnsigned(Payload, 65536, []);

        var ex = ReadExpectingFailure(body, null, [Crc32Trailer], Payload.Length);

        Assert.Same(S3Errors.InvalidRequest, ex.Error);
    }

    [Fact]
    public void Read_TrailerWhereNoneAnnounced_IsInvalidRequest()
    {
        var crc = ObjectChecksum.ComputeBase64(ChecksumAlgorithm.Crc32, Payload);
        var body = AwsChunkedEncoder.EncodeSigned(Payload, 65536, Example, [(Crc32Trailer, crc)]);

        var ex = ReadExpectingFailure(body, Example, null, Payload.Length);

        Assert.Same(S3Errors.InvalidRequest, ex.Error);
    }

    [Fact]
    public void Read_LastTrailerLineMissingNewline_IsAccepted()
    {
        // "name:value\r" then the final "\r\n": the trailer line lost its "\n".
        var body = AwsChunkedEncoder.Ascii("3\r\nabc\r\n0\r\nX-Amz-Checksum-CRC32:NSRBwg==\r\r\n");

        using var stream = new AwsChunkedStream(new MemoryStream(body), null, [Crc32Trailer], 3);

        Assert.Equal("abc"u8.ToArray(), ReadAll(stream, 16));
        Assert.Equal("NSRBwg==", stream.Trailers[Crc32Trailer]);
    }

    [Fact]
    public void Read_DataAfterTerminator_IsInvalidRequest()
    {
        var body = AwsChunkedEncoder.EncodeSigned(Payload, 65536, Example).Concat("extra"u8.ToArray()).ToArray();

        var ex = ReadExpectingFailure(body, Example, null, Payload.Length);

        Assert.Same(S3Errors.InvalidRequest, ex.Error);
    }

    [Fact]
    public void Read_AfterFailure_KeepsFailing()
    {
        using var stream = new AwsChunkedStream(new MemoryStream(AwsChunkedEncoder.Ascii("zz\r\n")), null, null, null);

        var first = Assert.Throws<S3Exception>(() => stream.ReadByte());
        var second = Assert.Throws<S3Exception>(() => stream.ReadByte());

        Assert.Same(first.Error, second.Error);
    }
}
