using System.Net;
using Amazon.Runtime;

namespace Ztdr.Backup.Stores;

/// <summary>
/// The one place where S3 and transport failures become store errors. By the time an exception reaches here the
/// SDK's standard retry mode has already retried what is transient (5xx, SlowDown and other throttling, timeouts,
/// broken connections); 4xx answers are never retried.
/// </summary>
internal static class S3ErrorTranslation
{
    /// <summary>Whether <paramref name="e"/> is a store failure to translate (not the caller's own cancellation).</summary>
    public static bool IsStoreFailure(Exception e, CancellationToken cancellationToken) => e switch
    {
        ObjectStoreException => false,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        AmazonServiceException or AmazonClientException or HttpRequestException or IOException or System.Net.Sockets.SocketException => true,
        _ => false,
    };

    public static bool IsStatus(Exception e, HttpStatusCode status, params string[] codes) =>
        e is AmazonServiceException s && (s.StatusCode == status || Array.IndexOf(codes, s.ErrorCode) >= 0);

    /// <summary>No retention on the version: AWS/MinIO/vault say 400 NoSuchObjectLockConfiguration, RGW a 404.</summary>
    public static bool IsNoRetention(Exception e) =>
        e is AmazonServiceException { ErrorCode: "NoSuchObjectLockConfiguration" or "ObjectLockConfigurationNotFoundError" };

    /// <summary>The name is taken: If-None-Match failed, or AWS's 409 for two racing conditional writes.</summary>
    public static bool IsAlreadyExists(Exception e) =>
        e is AmazonServiceException { StatusCode: HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict } s
        && s.ErrorCode is "PreconditionFailed" or "ConditionalRequestConflict" or null or "";

    public static ObjectStoreException Translate(Exception e, string bucket, string? name)
    {
        var what = name is null ? $"bucket '{bucket}'" : $"object '{name}'";
        switch (e)
        {
            case AmazonServiceException { ErrorCode: "NoSuchBucket" }:
                return new ObjectStoreException(StoreErrorKind.NotFound, $"bucket '{bucket}' does not exist", e);
            case AmazonServiceException { StatusCode: HttpStatusCode.NotFound } or AmazonServiceException { ErrorCode: "NoSuchKey" or "NoSuchVersion" }:
                return name is null ? StoreErrors.Rejected(what, Code(e), e) : StoreErrors.NotFound(name, e);
            case AmazonServiceException { StatusCode: HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized } s:
                return StoreErrors.AccessDenied(what, CodeAndMessage(s), e);
            case AmazonServiceException { ErrorCode: "SlowDown" or "Throttling" or "ThrottlingException" or "RequestTimeout" } s:
                return StoreErrors.Unavailable(what, Code(s), e);
            case AmazonServiceException s when (int)s.StatusCode >= 500 || s.StatusCode == 0:
                return StoreErrors.Unavailable(what, $"HTTP {(int)s.StatusCode} {Code(s)}", e);
            case AmazonServiceException { ErrorCode: "XAmzContentSHA256Mismatch" }:
                // ztdr sends its digests as headers, so the SDK streams no trailing checksum (the framing Ceph RGW 16
                // cannot parse, docs/ceph-rgw.md) whatever AWS_REQUEST_CHECKSUM_CALCULATION says: the body no longer
                // matches the payload hash the request was signed with.
                return StoreErrors.Rejected(what, "XAmzContentSHA256Mismatch: the bytes the server received do not match the payload hash the request was signed with (altered in transit); nothing was stored", e);
            case AmazonServiceException { ErrorCode: "BadDigest" }:
                // The server checked the bytes it received against the Content-MD5 / x-amz-checksum-crc32 ztdr sent.
                return StoreErrors.Rejected(what, "BadDigest: the bytes the server received do not match the checksum ztdr sent (altered in transit); nothing was stored", e);
            case AmazonServiceException s:
                return StoreErrors.Rejected(what, CodeAndMessage(s), e);
            case AmazonClientException c when IsChecksumMismatch(c):
                // The SDK checks a whole-object GET against the ETag or stored checksum when the body is closed.
                return StoreErrors.Damaged(what, OneLine(c.Message), e);
            default:
                return StoreErrors.Unavailable(what, OneLine(Innermost(e).Message), e);
        }
    }

    private static bool IsChecksumMismatch(AmazonClientException e) =>
        e.Message.Contains("not equal to calculated hash", StringComparison.OrdinalIgnoreCase);

    private static string Code(Exception e) =>
        e is AmazonServiceException { ErrorCode: { Length: > 0 } code } ? code : e is AmazonServiceException s ? ((int)s.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : e.GetType().Name;

    /// <summary>"Code: message", or the code alone when the server sent no message text (RGW never does).</summary>
    private static string CodeAndMessage(AmazonServiceException e) =>
        string.IsNullOrWhiteSpace(e.Message) ? Code(e) : $"{Code(e)}: {OneLine(e.Message)}";

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
