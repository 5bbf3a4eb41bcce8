using System.Text;
using Ztdr.S3.Checksums;
using Ztdr.S3.Errors;
using Ztdr.S3.Streaming;

namespace Ztdr.S3.Tests.Streaming;

public sealed partial class AwsChunkedStreamTests
{
    private const string ExampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string Crc32Trailer = "x-amz-checksum-crc32";

    // "Example: PUT Object" of AWS's sigv4-streaming page: 66560 bytes of 'a' in chunks of 65536 and 1024.
    private const string ExampleSeed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    private const string ExampleChunk1 = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
    private const string ExampleChunk2 = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
    private const string ExampleFinal = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";

    private static readonly ChunkSigningContext Example = new(
        AwsChunkedEncoder.DeriveSigningKey(ExampleSecret, "20130524", "us-east-1"),
        "20130524T000000Z",
        "20130524/us-east-1/s3/aws4_request",
        ExampleSeed);

    private static readonly byte[] Payload = MakePayload(200_000);

    [Fact]
    public void Read_AwsPublishedExample_DecodesAndVerifiesEveryChunk()
    {
        var body = new MemoryStream();
        body.Write(AwsChunkedEncoder.Ascii($"10000;chunk-signature={ExampleChunk1}\r\n"));
        body.Write(Enumerable.Repeat((byte)'a', 65536).ToArray());
        body.Write(AwsChunkedEncoder.Ascii($"\r\n400;chunk-signature={ExampleChunk2}\r\n"));
        body.Write(Enumerable.Repeat((byte)'a', 1024).ToArray());
        body.Write(AwsChunkedEncoder.Ascii($"\r\n0;chunk-signature={ExampleFinal}\r\n\r\n"));
        var bytes = body.ToArray();
        Assert.Equal(66824, bytes.Length); // the Content-Length in the example

        using var stream = new AwsChunkedStream(new MemoryStream(bytes), Example, null, 66560);
        var decoded = ReadAll(stream, 8192);

        Assert.Equal(66560, decoded.Length);
        Assert.All(decoded, b => Assert.Equal((byte)'a', b));
        Assert.True(stream.IsCompleted);
        Assert.Empty(stream.Trailers);
    }

    [Fact]
    public void EncodeSigned_AwsPublishedExample_ReproducesPublishedSignatures()
    {
        // Guards the test encoder itself: the round trips below are only as good as it is.
        var data = Enumerable.Repeat((byte)'a', 66560).ToArray();

        var text = Encoding.ASCII.GetString(AwsChunkedEncoder.EncodeSigned(data, 65536, Example));

        Assert.StartsWith($"10000;chunk-signature={ExampleChunk1}\r\n", text, StringComparison.Ordinal);
        Assert.Contains($"\r\n400;chunk-signature={ExampleChunk2}\r\n", text, StringComparison.Ordinal);
        Assert.EndsWith($"\r\n0;chunk-signature={ExampleFinal}\r\n\r\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_SignedChunks_RoundTrips(bool upperCaseHex)
    {
        var body = AwsChunkedEncoder.EncodeSigned(Payload, 65536, Example, upperCaseHex: upperCaseHex);

        using var stream = new AwsChunkedStream(new MemoryStream(body), Example, null, Payload.Length);

        Assert.Equal(Payload, ReadAll(stream, 4096));
        Assert.Equal(Payload.Length, stream.DecodedLength);
    }

    [Fact]
    public void Read_SignedChunksWithTrailer_RoundTripsAndExposesTrailer()
    {
        var crc = ObjectChecksum.ComputeBase64(ChecksumAlgorithm.Crc32, Payload);
        var body = AwsChunkedEncoder.EncodeSigned(Payload, 81920, Example, [(Crc32Trailer, crc)], upperCaseHex: true);

        using var stream = new AwsChunkedStream(new MemoryStream(body), Example, [Crc32Trailer], Payload.Length);

        Assert.Equal(Payload, ReadAll(stream, 10_000));
        Assert.Equal(crc, stream.Trailers[Crc32Trailer]);
        Assert.Single(stream.Trailers);
    }

    [Fact]
    public void Read_SignedTrailerNameInMixedCase_VerifiesAndIsExposedLowerCase()
    {
        var crc = ObjectChecksum.ComputeBase64(ChecksumAlgorithm.Crc32, Payload);
        var body = AwsChunkedEncoder.EncodeSigned(Payload, 65536, Example, [("X-Amz-Checksum-Crc32", crc)]);

        using var stream = new AwsChunkedStream(new MemoryStream(body), Example, ["X-Amz-Checksum-CRC32"], Payload.Length);

        Assert.Equal(Payload, ReadAll(stream, 65536));
        Assert.Equal(crc, stream.Trailers[Crc32Trailer]);
    }

    [Fact]
    public void Read_UnsignedChunksWithTrailer_RoundTripsAndExposesTrailer()
    {
        var crc = ObjectChecksum.ComputeBase64(ChecksumAlgorithm.Crc64Nvme, Payload);
        var body = AwsChunkedEncoder.EncodeUnsigned(Payload, 1 << 20, [("x-amz-checksum-crc64nvme", crc)]);

        using var stream = new AwsChunkedStream(new MemoryStream(body), null, ["x-amz-checksum-crc64nvme"], Payload.Length);

        Assert.Equal(Payload, ReadAll(stream, 65536));
        Assert.Equal(crc, stream.Trailers["x-amz-checksum-crc64nvme"]);
    }

    [Fact]
    public void Read_EmptyObject_DecodesToNothing()
    {
        var crc = ObjectChecksum.ComputeBase64(ChecksumAlgorithm.Crc32, []);
        var body = AwsChunkedEncoder.EncodeSigned([], 65536, Example, [(Crc32Trailer, crc)]);

        using var stream = new AwsChunkedStream(new MemoryStream(body), Example, [Crc32Trailer], 0);

        Assert.Empty(ReadAll(stream, 100));
        Assert.Equal(crc, stream.Trailers[Crc32Trailer]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Read_OneByteAndLargeBuffersOverTrickledInput_GiveIdenticalOutput(bool signed)
    {
        var data = MakePayload(70_001);
        var crc = ObjectChecksum.ComputeBase64(ChecksumAlgorithm.Crc32, data);
        var body = signed
            ? AwsChunkedEncoder.EncodeSigned(data, 8192, Example, [(Crc32Trailer, crc)])
            : AwsChunkedEncoder.EncodeUnsigned(data, 8192, [(Crc32Trailer, crc)]);
        var signing = signed ? Example : null;

        using var tiny = new AwsChunkedStream(new TrickleStream(body, 1), signing, [Crc32Trailer], data.Length);
        using var large = new AwsChunkedStream(new MemoryStream(body), signing, [Crc32Trailer], data.Length);
        using var asyncTrickle = new AwsChunkedStream(new TrickleStream(body, 3), signing, [Crc32Trailer], data.Length);

        Assert.Equal(data, ReadAll(tiny, 1));
        Assert.Equal(data, ReadAll(large, 1 << 20));
        Assert.Equal(data, await ReadAllAsync(asyncTrickle, 7));
        Assert.Equal(crc, tiny.Trailers[Crc32Trailer]);
    }

    [Fact]
    public void Read_TamperedChunk_FailsWithoutHandingOutAnyOfIt()
    {
        var body = AwsChunkedEncoder.EncodeSigned(Payload, 65536, Example);
        var secondHeader = Array.IndexOf(body, (byte)'\n') + 1 + 65536 + 2;
        var secondChunkData = Array.IndexOf(body, (byte)'\n', secondHeader) + 1;
        body[secondChunkData + 100] ^= 0x01;

        using var stream = new AwsChunkedStream(new MemoryStream(body), Example, null, Payload.Length);
        var received = new MemoryStream();
        var ex = Assert.Throws<S3Exception>(() => CopyInto(stream, received, 1000));

        Assert.Same(S3Errors.SignatureDoesNotMatch, ex.Error);
        Assert.Equal(65536, received.Length); // only the first, verified chunk
        Assert.Equal(Payload.AsSpan(0, 65536).ToArray(), received.ToArray());
    }

    [Fact]
    public void Read_ChunksReordered_FailsSignature()
    {
        // Two equal-length chunks swapped: each carries a valid signature, but not in this chain position.
        var data = MakePayload(2000);
        var body = Encoding.Latin1.GetString(AwsChunkedEncoder.EncodeSigned(data, 1000, Example));
        var parts = body.Split("\r\n");
        var swapped = string.Join("\r\n", [parts[2], parts[3], parts[0], parts[1], .. parts[4..]]);

        using var stream = new AwsChunkedStream(new MemoryStream(Encoding.Latin1.GetBytes(swapped)), Example, null, data.Length);
        var ex = Assert.Throws<S3Exception>(() => ReadAll(stream, 4096));

        Assert.Same(S3Errors.SignatureDoesNotMatch, ex.Error);
    }

    [Fact]
    public void Read_TamperedTrailerValue_FailsTrailerSignature()
    {
        var crc = ObjectChecksum.ComputeBase64(ChecksumAlgorithm.Crc32, Payload);
        var forged = ObjectChecksum.ComputeBase64(ChecksumAlgorithm.Crc32, "forged"u8);
        var body = Encoding.Latin1.GetString(AwsChunkedEncoder.EncodeSigned(Payload, 65536, Example, [(Crc32Trailer, crc)]));
        body = body.Replace($"{Crc32Trailer}:{crc}", $"{Crc32Trailer}:{forged}", StringComparison.Ordinal);

        var ex = ReadExpectingFailure(Encoding.Latin1.GetBytes(body), Example, [Crc32Trailer], Payload.Length);

        Assert.Same(S3Errors.SignatureDoesNotMatch, ex.Error);
    }

    [Fact]
    public void Read_WrongTrailerSignature_Fails()
    {
        var crc = ObjectChecksum.ComputeBase64(ChecksumAlgorithm.Crc32, Payload);
        var body = Encoding.Latin1.GetString(AwsChunkedEncoder.EncodeSigned(Payload, 65536, Example, [(Crc32Trailer, crc)]));
        var at = body.IndexOf("x-amz-trailer-signature:", StringComparison.Ordinal) + "x-amz-trailer-signature:".Length;
        body = string.Concat(body.AsSpan(0, at), new string('0', 64), body.AsSpan(at + 64));

        var ex = ReadExpectingFailure(Encoding.Latin1.GetBytes(body), Example, [Crc32Trailer], Payload.Length);

        Assert.Same(S3Errors.SignatureDoesNotMatch, ex.Error);
    }

    [Fact]
    public void Read_SignedTrailerWithoutTrailerSignature_Fails()
    {
        var crc = ObjectChecksum.ComputeBase64(ChecksumAlgorithm.Crc32, Payload);
        var body = Encoding.Latin1.GetString(AwsChunkedEncoder.EncodeSigned(Payload, 65536, Example, [(Crc32Trailer, crc)]));
        var at = body.IndexOf("x-amz-trailer-signature:", StringComparison.Ordinal);
        body = body[..at] + "\r\n";

        var ex = ReadExpectingFailure(Encoding.Latin1.GetBytes(body), Example, [Crc32Trailer], Payload.Length);

        Assert.Same(S3Errors.SignatureDoesNotMatch, ex.Error);
    }

    [Fact]
    public void Read_WrongSigningKey_FailsOnFirstChunk()
    {
        var body = AwsChunkedEncoder.EncodeSigned(Payload, 65536, Example);
        var other = Example with { SigningKey = AwsChunkedEncoder.DeriveSigningKey("another-secret", "20130524", "us-east-1") };

        var ex = ReadExpectingFailure(body, other, null, Payload.Length);

        Assert.Same(S3Errors.SignatureDoesNotMatch, ex.Error);
    }

    [Fact]
    public void Read_SignedChunkWithoutSignature_Fails()
    {
        var ex = ReadExpectingFailure(AwsChunkedEncoder.Ascii("3\r\nabc\r\n0\r\n\r\n"), Example, null, 3);

        Assert.Same(S3Errors.SignatureDoesNotMatch, ex.Error);
    }

    [Fact]
    public async Task ReadAsync_AfterCancellationMidBody_RefusesToResume()
    {
        var body = AwsChunkedEncoder.EncodeSigned(Payload, 65536, Example);
        using var stream = new AwsChunkedStream(new MemoryStream(body), Example, null, Payload.Length);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.ReadAsync(new byte[10], cancelled.Token).AsTask());

        await Assert.ThrowsAsync<InvalidOperationException>(() => stream.ReadAsync(new byte[10]).AsTask());
    }

    [Fact]
    public void Trailers_BeforeEndOfBody_Throws()
    {
        var body = AwsChunkedEncoder.EncodeUnsigned(Payload, 65536, [(Crc32Trailer, "AAAAAA==")]);
        using var stream = new AwsChunkedStream(new MemoryStream(body), null, [Crc32Trailer], Payload.Length);
        stream.ReadByte();

        Assert.Throws<InvalidOperationException>(() => stream.Trailers);
    }

    [Fact]
    public void Constructor_NegativeDecodedLength_IsRejected()
    {
        Assert.Throws<S3Exception>(() => new AwsChunkedStream(new MemoryStream(), null, null, -1));
    }
}
