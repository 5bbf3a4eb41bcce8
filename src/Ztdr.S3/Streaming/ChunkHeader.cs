using static Ztdr.S3.Streaming.AwsChunkedRejections;

namespace Ztdr.S3.Streaming;

/// <summary>
/// One chunk header of an aws-chunked body: <c>hex-size[;chunk-signature=sig]</c>.
/// <see cref="Signature"/> is null for an unsigned body.
/// </summary>
internal readonly record struct ChunkHeader(int Size, string? Signature)
{
    private const string ChunkSignaturePrefix = "chunk-signature=";

    /// <param name="line">The header line as read, without its '\n'.</param>
    /// <param name="signed">Whether the body is signed, so a chunk-signature is required.</param>
    public static ChunkHeader Parse(string line, bool signed)
    {
        if (line.Length == 0 || line[^1] != '\r')
        {
            throw Malformed("a chunk header line must end with CRLF.");
        }

        line = line[..^1];
        var semicolon = line.IndexOf(';', StringComparison.Ordinal);
        var sizeText = semicolon < 0 ? line : line[..semicolon];
        string? signature = null;
        if (signed)
        {
            var extension = semicolon < 0 ? string.Empty : line[(semicolon + 1)..];
            if (!extension.StartsWith(ChunkSignaturePrefix, StringComparison.Ordinal))
            {
                throw MissingChunkSignature();
            }

            signature = extension[ChunkSignaturePrefix.Length..];
            if (!ChunkSignatureChain.IsSignatureHex(signature))
            {
                throw Malformed("a chunk-signature must be 64 hex digits.");
            }
        }

        // Hex digits only (either case): no sign, no whitespace, no 0x. Checked digit by digit so that
        // an enormous size is refused before it can overflow.
        if (sizeText.Length == 0)
        {
            throw Malformed("a chunk header has no size.");
        }

        long size = 0;
        foreach (var c in sizeText)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                throw ChunkSizeNotHex(sizeText);
            }

            size = (size * 16) + HexValue(c);
            if (size > AwsChunkedStream.MaxChunkSize)
            {
                throw Malformed($"a chunk is larger than the {AwsChunkedStream.MaxChunkSize} bytes allowed.");
            }
        }

        return new ChunkHeader((int)size, signature);
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
