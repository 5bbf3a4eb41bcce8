using System.Security.Cryptography;
using System.Text;
using Ztdr.S3.Streaming;

namespace Ztdr.S3.Tests.Streaming;

/// <summary>
/// Client side of aws-chunked, written straight from the AWS documentation and independent of the decoder,
/// so round trips test the decoder against the format rather than against itself.
/// </summary>
internal static class AwsChunkedEncoder
{
    public const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public static byte[] DeriveSigningKey(string secret, string date, string region)
    {
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date);
        key = Hmac(key, region);
        key = Hmac(key, "s3");
        return Hmac(key, "aws4_request");
    }

    public static string ChunkSignature(ChunkSigningContext context, string previous, ReadOnlySpan<byte> data) =>
        Convert.ToHexStringLower(Hmac(
            context.SigningKey,
            $"AWS4-HMAC-SHA256-PAYLOAD\n{context.AmzDate}\n{context.Scope}\n{previous}\n{EmptySha256}\n{Convert.ToHexStringLower(SHA256.HashData(data))}"));

    public static string TrailerSignature(ChunkSigningContext context, string previous, string canonicalTrailers) =>
        Convert.ToHexStringLower(Hmac(
            context.SigningKey,
            $"AWS4-HMAC-SHA256-TRAILER\n{context.AmzDate}\n{context.Scope}\n{previous}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalTrailers)))}"));

    /// <summary>STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or …-TRAILER when trailers are given.</summary>
    public static byte[] EncodeSigned(
        ReadOnlySpan<byte> data,
        int chunkSize,
        ChunkSigningContext context,
        IReadOnlyList<(string Name, string Value)>? trailers = null,
        bool upperCaseHex = false)
    {
        var body = new MemoryStream();
        var previous = context.SeedSignature;
        for (var offset = 0; offset < data.Length; offset += chunkSize)
        {
            var piece = data.Slice(offset, Math.Min(chunkSize, data.Length - offset));
            previous = ChunkSignature(context, previous, piece);
            Ascii(body, $"{Hex(piece.Length, upperCaseHex)};chunk-signature={previous}\r\n");
            body.Write(piece);
            Ascii(body, "\r\n");
        }

        previous = ChunkSignature(context, previous, []);
        Ascii(body, $"0;chunk-signature={previous}\r\n");
        if (trailers is { Count: > 0 })
        {
            var canonical = new StringBuilder();
            foreach (var (name, value) in trailers)
            {
                Ascii(body, $"{name}:{value}\r\n");
                canonical.Append(name).Append(':').Append(value).Append('\n');
            }

            Ascii(body, $"x-amz-trailer-signature:{TrailerSignature(context, previous, canonical.ToString())}\r\n");
        }

        Ascii(body, "\r\n");
        return body.ToArray();
    }

    /// <summary>STREAMING-UNSIGNED-PAYLOAD-TRAILER.</summary>
    public static byte[] EncodeUnsigned(
        ReadOnlySpan<byte> data,
        int chunkSize,
        IReadOnlyList<(string Name, string Value)> trailers,
        bool upperCaseHex = false)
    {
        var body = new MemoryStream();
        for (var offset = 0; offset < data.Length; offset += chunkSize)
        {
            var piece = data.Slice(offset, Math.Min(chunkSize, data.Length - offset));
            Ascii(body, $"{Hex(piece.Length, upperCaseHex)}\r\n");
            body.Write(piece);
            Ascii(body, "\r\n");
        }

        Ascii(body, "0\r\n");
        foreach (var (name, value) in trailers)
        {
            Ascii(body, $"{name}:{value}\r\n");
        }

        Ascii(body, "\r\n");
        return body.ToArray();
    }

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static void Ascii(MemoryStream body, string text) => body.Write(Encoding.ASCII.GetBytes(text));

    private static string Hex(int value, bool upper) => value.ToString(upper ? "X" : "x", System.Globalization.CultureInfo.InvariantCulture);

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
}

/// <summary>Returns at most a few bytes per read, as a slow network does, to exercise every buffer boundary.</summary>
internal sealed class TrickleStream(byte[] data, int maxPerRead) : MemoryStream(data, writable: false)
{
    public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, maxPerRead)]);

    public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, maxPerRead));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        base.ReadAsync(buffer[..Math.Min(buffer.Length, maxPerRead)], cancellationToken);
}
