using Ztdr.S3.Errors;

namespace Ztdr.S3.Streaming;

/// <summary>
/// Every way aws-chunked decoding says no, built in one place so the codes and messages stay the same
/// whichever part of the decoder notices the fault.
/// </summary>
internal static class AwsChunkedRejections
{
    public static S3Exception Malformed(string detail) =>
        new(S3Errors.InvalidRequest, $"The aws-chunked body is malformed: {detail}");

    public static S3Exception Truncated() =>
        new(S3Errors.IncompleteBody, "The aws-chunked body ended before its terminating chunk and trailers.");

    public static S3Exception NegativeDecodedLength() =>
        new(S3Errors.InvalidArgument, "x-amz-decoded-content-length must not be negative.");

    public static S3Exception LongerThanDeclared(long declared) =>
        new(S3Errors.IncompleteBody, $"The body carries more than the {declared} bytes declared by x-amz-decoded-content-length.");

    public static S3Exception LengthMismatch(long decoded, long declared) =>
        new(S3Errors.IncompleteBody, $"The body carries {decoded} bytes but x-amz-decoded-content-length declares {declared}.");

    public static S3Exception MissingChunkSignature() =>
        new(S3Errors.SignatureDoesNotMatch, "A chunk of the signed aws-chunked body carries no chunk-signature.");

    public static S3Exception ChunkSizeNotHex(string sizeText) =>
        Malformed($"the chunk size '{Shorten(sizeText)}' is not hexadecimal.");

    public static S3Exception UnannouncedTrailer(string name) =>
        new(S3Errors.InvalidRequest, $"The trailer '{Shorten(name)}' was not announced in x-amz-trailer.");

    public static S3Exception MissingTrailer(string name) =>
        new(S3Errors.InvalidRequest, $"The trailer '{name}' announced in x-amz-trailer is missing from the body.");

    public static S3Exception MissingTrailerSignature() =>
        new(S3Errors.SignatureDoesNotMatch, "The signed aws-chunked body has trailers but no x-amz-trailer-signature.");

    // Client-controlled text is echoed only in part, so a hostile header cannot bloat the error body.
    private static string Shorten(string value) => value.Length <= 32 ? value : value[..32] + "…";
}
