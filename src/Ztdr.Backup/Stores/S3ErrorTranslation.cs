using System.Net;
using Amazon.Runtime;

namespace Ztdr.Backup.Stores;

/// <summary>
/// The one place where S3 and transport failures become store errors. By the time an exception reaches here the
/// SDK's standard retry mode has already retried what is transient (5xx, SlowDown and other throttling, timeouts,
/// broken connections); 4xx answers are never retried.
/// </summary>
internal static partial class S3ErrorTranslation
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
            case AmazonServiceException { StatusCode: HttpStatusCode.Forbidden, ErrorCode: "AccessDenied" } s when name is null:
                // A bucket the key may not use and a bucket that does not exist look alike to a scoped key (ztdr-vault,
                // like AWS for buckets of other accounts, does not say which): the typo is the likelier cause.
                return new ObjectStoreException(
                    StoreErrorKind.AccessDenied,
                    $"{what}: access denied ({CodeAndMessage(s)}); check the bucket's name in the repository URL, then that the profile's key may use that bucket",
                    e);
            case AmazonServiceException { StatusCode: HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized } s:
                return StoreErrors.AccessDenied(what, CodeAndMessage(s), e);
            case AmazonServiceException { ErrorCode: "InvalidRequest" } s when s.Message is { } text && NoObjectLock().IsMatch(text):
                return new ObjectStoreException(
                    StoreErrorKind.Rejected,
                    $"bucket '{bucket}' has no Object Lock, and ztdr locks every object it writes: use a bucket created with Object Lock enabled (ztdr-vault init --bucket NAME, or aws s3api create-bucket --object-lock-enabled-for-bucket); nothing was stored",
                    e);
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
            case var _ when Find<System.Security.Authentication.AuthenticationException>(e) is { } tls:
                return new ObjectStoreException(
                    StoreErrorKind.Unavailable,
                    $"the storage server's TLS certificate is not trusted ({OneLine(tls.Message)}): set AWS_CA_BUNDLE, or ca_bundle in the AWS config file, to the CA that issued it (for ztdr-vault: the ca.pem its init wrote)",
                    e);
            case var _ when Find<HttpIOException>(e) is { HttpRequestError: HttpRequestError.ResponseEnded }:
                return new ObjectStoreException(
                    StoreErrorKind.Unavailable,
                    $"{what}: the server closed the connection without an HTTP answer; if the endpoint speaks HTTPS (ztdr-vault does), write s3:https:// in the repository URL",
                    e);
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

    private static T? Find<T>(Exception e)
        where T : Exception
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is T found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>AWS: "Bucket is missing Object Lock Configuration"; ztdr-vault: "… ObjectLockConfiguration".</summary>
    [System.Text.RegularExpressions.GeneratedRegex("missing object ?lock ?configuration", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex NoObjectLock();

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
