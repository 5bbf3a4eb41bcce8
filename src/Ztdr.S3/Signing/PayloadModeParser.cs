namespace Ztdr.S3.Signing;

/// <summary>Reads x-amz-content-sha256 (or X-Amz-Content-Sha256 on a presigned URL) into a <see cref="PayloadMode"/>.</summary>
internal static class PayloadModeParser
{
    private const string EcdsaPrefix = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD";

    /// <returns>The mode, and the lower-case expected body hash when the mode is <see cref="PayloadMode.SignedSha256"/>.</returns>
    public static (PayloadMode Mode, string? Sha256Hex) Parse(string value, bool presigned)
    {
        var (mode, hash) = value switch
        {
            SigV4.UnsignedPayload => (PayloadMode.Unsigned, null),
            SigV4.StreamingSignedPayload => (PayloadMode.StreamingSigned, null),
            SigV4.StreamingSignedPayloadTrailer => (PayloadMode.StreamingSignedTrailer, null),
            SigV4.StreamingUnsignedPayloadTrailer => (PayloadMode.StreamingUnsignedTrailer, null),
            _ when value.StartsWith(EcdsaPrefix, StringComparison.Ordinal) => throw SigV4Rejections.SignatureVersion4A(),
            _ when IsSha256Hex(value) => (PayloadMode.SignedSha256, value.ToLowerInvariant()),
            _ => throw SigV4Rejections.InvalidContentSha256(value),
        };

        // A presigned URL has no Authorization-header seed for a chunk-signature chain.
        if (presigned && mode is not (PayloadMode.SignedSha256 or PayloadMode.Unsigned))
        {
            throw SigV4Rejections.StreamingWithPresignedUrl();
        }

        return (mode, hash);
    }

    internal static bool IsSha256Hex(string value) => value.Length == 64 && value.All(char.IsAsciiHexDigit);
}
