using System.Globalization;
using System.Text;
using FsCheck.Fluent;
using Xunit.Abstractions;
using Ztdr.S3.Streaming;
using Ztdr.S3.Tests.Streaming;

namespace Ztdr.S3.Tests.Properties;

/// <summary>
/// The aws-chunked decoder against bodies of random size cut into random chunks, read through random buffer and
/// network-read sizes, then against the same bodies mutated: lying, negative and overflowing chunk sizes, truncation at
/// any byte, flipped signatures, extra and missing trailers, a lying x-amz-decoded-content-length. Every body decodes
/// exactly or is refused with an S3 error from the catalog; a signed body that decodes is byte for byte the one signed.
/// </summary>
public sealed class AwsChunkedProperties(ITestOutputHelper output)
{
    private const string Crc32 = "x-amz-checksum-crc32";

    private static readonly ChunkSigningContext Context = new(
        AwsChunkedEncoder.DeriveSigningKey("chunked/property/secret", "20261128", "us-east-1"),
        "20261128T120000Z",
        "20261128/us-east-1/s3/aws4_request",
        new string('c', 64));

    private static readonly string[] LyingSizes = ["-1", "+10", "0x10", " 10", "10 ", "FFFFFFFFFFFFFFFFFF", "1000001", "7fffffff", "", "g", "1;", "00000000000000000000000000001"];

    private static FsCheck.Gen<int> Seeds => Gen.Choose(0, int.MaxValue);

    [Fact]
    public void AnyFraming_RandomChunksAndReads_DecodesExactly() =>
        PropertyRun.Check(output, "aws-chunked: round trip", Seeds, seed =>
        {
            var random = new Random(seed);
            var body = Encode(random, out var data, out var framing, out var trailers);

            var decoded = Decode(random, body, framing, trailers, random.Next(2) == 0 ? data.Length : null);

            Assert.Equal(data, decoded.Data);
            Assert.True(decoded.Stream.IsCompleted);
            Assert.Equal(trailers.Count, decoded.Stream.Trailers.Count);
        }, cases: 1000);

    [Fact]
    public void AnyFraming_MutatedBody_DecodesTheSignedBytesOrIsRefusedWithCatalogError() =>
        PropertyRun.Check(output, "aws-chunked: mutated bodies", Seeds, seed =>
        {
            var random = new Random(seed);
            var body = Encode(random, out var data, out var framing, out var trailers);
            long? declared = random.Next(3) switch
            {
                0 => null,
                1 => data.Length,
                _ => data.Length + random.Next(-3, 4),
            };
            var mutated = random.Next(2) == 0 ? HostileBytes.Mutate(random, body) : LieAboutASize(random, body);

            var (decoded, value, _) = WireOutcome.Run(() => Decode(random, mutated, framing, trailers, declared));

            if (decoded && framing != Framing.Unsigned)
            {
                // Signed data cannot change unnoticed; only framing that carries no data may differ (e.g. "0" vs "00").
                Assert.Equal(data, value.Data);
            }

            if (decoded && declared is { } length)
            {
                Assert.Equal(length, value.Data.Length);
            }
        }, cases: 2000);

    [Fact]
    public void NegativeDeclaredLength_IsRefusedBeforeReading() =>
        PropertyRun.Check(output, "aws-chunked: negative x-amz-decoded-content-length", Gen.Choose(int.MinValue, -1), length =>
        {
            var (created, _, refusal) = WireOutcome.Run(() => new AwsChunkedStream(new MemoryStream(), null, null, length));
            Assert.False(created);
            Assert.Equal(Errors.S3Errors.InvalidArgument, refusal!.Error);
        }, cases: 200);

    private enum Framing
    {
        Signed,
        SignedTrailer,
        Unsigned,
    }

    private static byte[] Encode(Random random, out byte[] data, out Framing framing, out List<(string Name, string Value)> trailers)
    {
        // Tiny chunks on small bodies, larger ones on larger bodies: every boundary is crossed without thousands of HMACs a case.
        var tiny = random.Next(3) == 0;
        data = new byte[random.Next(4) == 0 ? 0 : random.Next(1, tiny ? 600 : 20_000)];
        random.NextBytes(data);
        var chunkSize = tiny ? random.Next(1, 16) : random.Next(1, 9000);
        framing = (Framing)random.Next(3);
        trailers = framing == Framing.Signed ? [] : [(random.Next(2) == 0 ? Crc32 : "X-Amz-Checksum-CRC32", "AAAAAA==")];
        var upper = random.Next(2) == 0;
        return framing == Framing.Unsigned
            ? AwsChunkedEncoder.EncodeUnsigned(data, chunkSize, trailers, upper)
            : AwsChunkedEncoder.EncodeSigned(data, chunkSize, Context, trailers, upper);
    }

    private static (byte[] Data, AwsChunkedStream Stream) Decode(Random random, byte[] body, Framing framing, List<(string Name, string Value)> trailers, long? declared)
    {
        var stream = new AwsChunkedStream(
            new TrickleStream(body, random.Next(1, 5000)),
            framing == Framing.Unsigned ? null : Context,
            trailers.Count == 0 ? null : [Crc32],
            declared);
        var output = new MemoryStream();
        var buffer = new byte[random.Next(1, 70_000)];
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            output.Write(buffer, 0, n);
        }

        return (output.ToArray(), stream);
    }

    /// <summary>Replaces the size of one chunk header with a lie: another size, a sign, whitespace, an overflow.</summary>
    private static byte[] LieAboutASize(Random random, byte[] body)
    {
        var text = Encoding.Latin1.GetString(body);
        var headers = new List<int> { 0 };
        for (var i = text.IndexOf("\r\n", StringComparison.Ordinal); i >= 0 && i + 2 < text.Length; i = text.IndexOf("\r\n", i + 2, StringComparison.Ordinal))
        {
            if (Uri.IsHexDigit(text[i + 2]))
            {
                headers.Add(i + 2);
            }
        }

        var at = headers[random.Next(headers.Count)];
        var end = at;
        while (end < text.Length && Uri.IsHexDigit(text[end]))
        {
            end++;
        }

        var size = int.Parse(text[at..end], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var lie = random.Next(3) switch
        {
            0 => Math.Max(0, size + random.Next(-2, 3)).ToString("x", CultureInfo.InvariantCulture),
            1 => random.Next(0x1000000).ToString("x", CultureInfo.InvariantCulture),
            _ => LyingSizes[random.Next(LyingSizes.Length)],
        };
        return Encoding.Latin1.GetBytes(text[..at] + lie + text[end..]);
    }
}
