using System.Globalization;
using Ztdr.S3.Errors;

namespace Ztdr.S3.Signing;

/// <summary>
/// Every way SigV4 verification says no, built in one place so codes, messages and extra XML
/// elements stay consistent with what S3 clients expect (and tell the caller what to fix).
/// Nothing here may echo the secret or the signing key.
/// </summary>
internal static class SigV4Rejections
{
    private const string ServerTimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    public static S3Exception Anonymous() =>
        new(S3Errors.AccessDenied, "Anonymous access is not allowed: sign the request with AWS Signature Version 4 (AWS4-HMAC-SHA256).");

    public static S3Exception TwoMechanisms() =>
        new S3Exception(S3Errors.InvalidArgument, "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.")
            .With("ArgumentName", "Authorization");

    public static S3Exception UnsupportedAlgorithm(bool presigned, string algorithm) =>
        Malformed(presigned, $"The authorization mechanism '{algorithm}' is not supported. Please use {SigV4.Algorithm}.");

    public static S3Exception SignatureVersion2() =>
        new(S3Errors.InvalidRequest, $"Signature Version 2 is not supported. Please use {SigV4.Algorithm}.");

    public static S3Exception SignatureVersion4A() =>
        new(S3Errors.NotImplemented, $"Signature Version 4A (AWS4-ECDSA-P256-SHA256) is not supported. Please use {SigV4.Algorithm}.");

    /// <summary>Header auth answers AuthorizationHeaderMalformed, presigned URLs AuthorizationQueryParametersError (as S3 does).</summary>
    public static S3Exception Malformed(bool presigned, string message) =>
        new(presigned ? S3Errors.AuthorizationQueryParametersError : S3Errors.AuthorizationHeaderMalformed, message);

    public static S3Exception MissingContentSha256() =>
        new(S3Errors.InvalidRequest, "Missing required header for this request: x-amz-content-sha256");

    public static S3Exception InvalidContentSha256(string value) =>
        new S3Exception(S3Errors.InvalidArgument,
                $"x-amz-content-sha256 must be {SigV4.UnsignedPayload}, {SigV4.StreamingSignedPayload}, {SigV4.StreamingSignedPayloadTrailer}, {SigV4.StreamingUnsignedPayloadTrailer} or a valid sha256 value.")
            .With("ArgumentName", "x-amz-content-sha256")
            .With("ArgumentValue", value);

    public static S3Exception StreamingWithPresignedUrl() =>
        new(S3Errors.InvalidRequest, "Streaming (aws-chunked) payloads cannot be sent with a presigned URL; use header authentication.");

    public static S3Exception MissingDate() =>
        new(S3Errors.AccessDenied, "AWS authentication requires a valid Date or x-amz-date header.");

    public static S3Exception ScopeDateMismatch(bool presigned, string scopeDate, string amzDate) =>
        Malformed(presigned, $"Invalid credential date \"{scopeDate}\". This date is not the same as X-Amz-Date: \"{amzDate[..8]}\".");

    public static S3Exception WrongService(bool presigned, string service) =>
        Malformed(presigned, $"The credential scope service '{service}' is wrong; expecting '{SigV4.Service}'.");

    public static S3Exception WrongRegion(bool presigned, string region, IEnumerable<string> accepted)
    {
        var expecting = string.Join("' or '", accepted);
        return Malformed(presigned, $"The authorization is malformed; the region '{region}' is wrong; expecting '{expecting}'.")
            .With("Region", accepted.FirstOrDefault() ?? string.Empty);
    }

    public static S3Exception TooSkewed(string requestTime, DateTimeOffset serverTime, TimeSpan maxSkew) =>
        new S3Exception(S3Errors.RequestTimeTooSkewed,
                "The difference between the request time and the server's time is too large. Correct the client clock (or let the SDK correct skew from the Date response header) and retry.")
            .With("RequestTime", requestTime)
            .With("ServerTime", Format(serverTime))
            .With("MaxAllowedSkewMilliseconds", ((long)maxSkew.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));

    public static S3Exception Expired(int expiresSeconds, DateTimeOffset expiry, DateTimeOffset serverTime) =>
        new S3Exception(S3Errors.AccessDenied, "Request has expired")
            .With("X-Amz-Expires", expiresSeconds.ToString(CultureInfo.InvariantCulture))
            .With("Expires", Format(expiry))
            .With("ServerTime", Format(serverTime));

    public static S3Exception NotYetValid(string requestTime, DateTimeOffset serverTime) =>
        new S3Exception(S3Errors.AccessDenied, "Request is not valid yet")
            .With("RequestTime", requestTime)
            .With("ServerTime", Format(serverTime));

    public static S3Exception UnknownAccessKey(string accessKeyId) =>
        new S3Exception(S3Errors.InvalidAccessKeyId).With("AWSAccessKeyId", accessKeyId);

    public static S3Exception HeadersNotSigned(IEnumerable<string> names) =>
        new S3Exception(S3Errors.AccessDenied, "There were headers present in the request which were not signed")
            .With("HeadersNotSigned", string.Join(", ", names));

    public static S3Exception SignedHeaderAbsent(string name) =>
        new(S3Errors.SignatureDoesNotMatch, $"The header '{name}' is listed in SignedHeaders but is not present in the request.");

    public static S3Exception SignatureMismatch(string accessKeyId, string stringToSign, string signatureProvided, string canonicalRequest) =>
        new S3Exception(S3Errors.SignatureDoesNotMatch)
            .With("AWSAccessKeyId", accessKeyId)
            .With("StringToSign", stringToSign)
            .With("SignatureProvided", signatureProvided)
            .With("CanonicalRequest", canonicalRequest);

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(ServerTimeFormat, CultureInfo.InvariantCulture);
}
