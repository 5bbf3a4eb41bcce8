namespace Ztdr.S3.Signing;

/// <summary>
/// How the request body is protected, as announced by x-amz-content-sha256 (or the presigned
/// X-Amz-Content-Sha256 parameter). The body layer picks its decoder from this.
/// The numbers are part of nothing on disk or wire; only the names matter.
/// </summary>
public enum PayloadMode
{
    /// <summary>Raw body whose SHA-256 (hex) was signed; the body layer must verify it.</summary>
    SignedSha256,

    /// <summary>Raw body, not covered by the signature (UNSIGNED-PAYLOAD).</summary>
    Unsigned,

    /// <summary>aws-chunked body, every chunk signed (STREAMING-AWS4-HMAC-SHA256-PAYLOAD).</summary>
    StreamingSigned,

    /// <summary>aws-chunked body, signed chunks plus a signed trailer (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER).</summary>
    StreamingSignedTrailer,

    /// <summary>aws-chunked body, unsigned chunks plus a trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER).</summary>
    StreamingUnsignedTrailer,
}
