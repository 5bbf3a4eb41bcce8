using System.Security.Cryptography;
using System.Text;

namespace Ztdr.S3.Signing;

/// <summary>
/// Verifies AWS Signature Version 4 on an S3 request, by Authorization header or presigned URL,
/// before the body is read. The vault is never anonymous: a request without a signature is denied.
/// On success the body layer still has to check the payload (see <see cref="SigV4Authentication"/>);
/// every rejection is an <see cref="Errors.S3Exception"/>.
/// Thread-safe: holds only immutable configuration.
/// </summary>
public sealed class SigV4Verifier
{
    public static readonly TimeSpan DefaultMaxSkew = TimeSpan.FromMinutes(15);

    /// <summary>rclone, minio-go and restic default to it for custom endpoints, so it is always accepted.</summary>
    public const string AlwaysAcceptedRegion = "us-east-1";

    private const string SignatureParameter = "X-Amz-Signature";

    private readonly Func<string, string?> _secretForAccessKey;
    private readonly Func<ServerTimeWindow> _now;
    private readonly HashSet<string> _acceptedRegions;
    private readonly TimeSpan _maxSkew;

    /// <param name="secretForAccessKey">The secret for an access key id, or null when the key is unknown.</param>
    /// <param name="time">The clock; the only place verification reads the time.</param>
    /// <param name="acceptedRegions">Regions a credential scope may name; empty accepts any. us-east-1 is always accepted.</param>
    /// <param name="maxSkew">Largest allowed distance between request time and server time; 15 minutes by default, as S3.</param>
    public SigV4Verifier(
        Func<string, string?> secretForAccessKey,
        TimeProvider time,
        IReadOnlyCollection<string> acceptedRegions,
        TimeSpan? maxSkew = null)
        : this(secretForAccessKey, WallClock(time), acceptedRegions, maxSkew)
    {
    }

    /// <param name="secretForAccessKey">The secret for an access key id, or null when the key is unknown.</param>
    /// <param name="now">Where the true time lies, read once per request (see <see cref="ServerTimeWindow"/>).</param>
    /// <param name="acceptedRegions">Regions a credential scope may name; empty accepts any. us-east-1 is always accepted.</param>
    /// <param name="maxSkew">Largest allowed distance between request time and server time; 15 minutes by default, as S3.</param>
    public SigV4Verifier(
        Func<string, string?> secretForAccessKey,
        Func<ServerTimeWindow> now,
        IReadOnlyCollection<string> acceptedRegions,
        TimeSpan? maxSkew = null)
    {
        ArgumentNullException.ThrowIfNull(secretForAccessKey);
        ArgumentNullException.ThrowIfNull(now);
        ArgumentNullException.ThrowIfNull(acceptedRegions);
        if (maxSkew is { } skew && skew < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(maxSkew), "The allowed clock skew cannot be negative.");
        }

        _secretForAccessKey = secretForAccessKey;
        _now = now;
        _acceptedRegions = new HashSet<string>(acceptedRegions, StringComparer.Ordinal);
        if (_acceptedRegions.Count > 0)
        {
            _acceptedRegions.Add(AlwaysAcceptedRegion);
        }

        _maxSkew = maxSkew ?? DefaultMaxSkew;
    }

    public SigV4Authentication Verify(ISignedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        var (rawPath, rawQuery) = RequestTarget.Split(request.RawTarget);
        var claim = ReadClaim(request, RequestTarget.ParseQuery(rawQuery));
        CheckScope(claim);
        CheckTime(claim, _now());
        var signedHeaders = CollectSignedHeaders(claim, request);

        var credential = claim.Credential;
        var secret = _secretForAccessKey(credential.AccessKeyId) ?? throw SigV4Rejections.UnknownAccessKey(credential.AccessKeyId);
        var signingKey = SigV4.DeriveSigningKey(secret, credential.Date, credential.Region, credential.Service);

        var canonicalQuery = SigV4.CanonicalQuery(rawQuery, claim.Presigned ? SignatureParameter : null);
        var canonicalRequest = SigV4.CanonicalRequest(request.Method, SigV4.CanonicalUri(rawPath), canonicalQuery, signedHeaders, claim.PayloadHash);
        var stringToSign = SigV4.StringToSign(claim.AmzDate, credential.Scope, canonicalRequest);
        if (!Matches(signingKey, stringToSign, claim.Signature) &&
            !MatchesRawPath(signingKey, request.Method, rawPath, canonicalQuery, signedHeaders, claim))
        {
            throw SigV4Rejections.SignatureMismatch(credential.AccessKeyId, stringToSign, claim.Signature, canonicalRequest);
        }

        return new SigV4Authentication(
            credential.AccessKeyId,
            credential.Region,
            claim.AmzDate,
            credential.Scope,
            signingKey,
            claim.Signature,
            claim.PayloadMode,
            claim.PayloadSha256Hex,
            claim.Presigned);
    }

    private static SignatureClaim ReadClaim(ISignedRequest request, List<KeyValuePair<string, string>> parameters)
    {
        var hasHeader = request.TryGetHeader("authorization", out var authorization);
        var hasQuery = parameters.Exists(static p => p.Key == "X-Amz-Algorithm");
        if (hasHeader && hasQuery)
        {
            throw SigV4Rejections.TwoMechanisms();
        }

        if (hasHeader)
        {
            return SignatureClaim.FromAuthorizationHeader(authorization, request);
        }

        if (hasQuery)
        {
            return SignatureClaim.FromPresignedQuery(parameters);
        }

        if (parameters.Exists(static p => p.Key == "AWSAccessKeyId") && parameters.Exists(static p => p.Key == "Signature"))
        {
            throw SigV4Rejections.SignatureVersion2();
        }

        throw SigV4Rejections.Anonymous();
    }

    private void CheckScope(SignatureClaim claim)
    {
        var credential = claim.Credential;
        if (credential.Date != claim.AmzDate[..8])
        {
            throw SigV4Rejections.ScopeDateMismatch(claim.Presigned, credential.Date, claim.AmzDate);
        }

        if (credential.Service != SigV4.Service)
        {
            throw SigV4Rejections.WrongService(claim.Presigned, credential.Service);
        }

        if (_acceptedRegions.Count > 0 && !_acceptedRegions.Contains(credential.Region))
        {
            throw SigV4Rejections.WrongRegion(claim.Presigned, credential.Region,
                _acceptedRegions.Where(static r => r != AlwaysAcceptedRegion).Append(AlwaysAcceptedRegion));
        }
    }

    private static Func<ServerTimeWindow> WallClock(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return () => ServerTimeWindow.At(time.GetUtcNow());
    }

    /// <summary>
    /// A request time is refused only when it is wrong for every plausible server time, and a presigned URL once it
    /// expired by the server's estimate (see <see cref="ServerTimeWindow"/>): with a one-instant window this is S3's rule.
    /// </summary>
    private void CheckTime(SignatureClaim claim, ServerTimeWindow now)
    {
        if (!claim.Presigned)
        {
            // Bounds replay of a captured request to the skew window (widened by the window's width).
            if (now.Earliest - claim.RequestTime > _maxSkew)
            {
                throw SigV4Rejections.TooSkewed(claim.AmzDate, now.Earliest, _maxSkew);
            }

            if (claim.RequestTime - now.Latest > _maxSkew)
            {
                throw SigV4Rejections.TooSkewed(claim.AmzDate, now.Latest, _maxSkew);
            }

            return;
        }

        if (claim.RequestTime - now.Latest > _maxSkew)
        {
            throw SigV4Rejections.NotYetValid(claim.AmzDate, now.Latest);
        }

        var expiresSeconds = claim.ExpiresSeconds ?? 0;
        var expiry = claim.RequestTime.AddSeconds(expiresSeconds);
        if (now.Estimate > expiry)
        {
            throw SigV4Rejections.Expired(expiresSeconds, expiry, now.Estimate);
        }
    }

    /// <summary>
    /// The headers the signature covers, with their values as received. Host must be among them, and so
    /// must every x-amz-* header present: otherwise a man in the middle (or a lenient proxy) could add
    /// x-amz-object-lock-*, x-amz-bypass-governance-retention, x-amz-copy-source... to a signed request.
    /// </summary>
    private static List<KeyValuePair<string, string>> CollectSignedHeaders(SignatureClaim claim, ISignedRequest request)
    {
        var signed = new HashSet<string>(claim.SignedHeaders, StringComparer.Ordinal);
        var unsigned = request.HeaderNames
            .Select(static n => n.ToLowerInvariant())
            .Where(n => n.StartsWith("x-amz-", StringComparison.Ordinal) && !signed.Contains(n))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (!signed.Contains("host"))
        {
            unsigned.Insert(0, "host");
        }

        if (unsigned.Count > 0)
        {
            throw SigV4Rejections.HeadersNotSigned(unsigned);
        }

        var headers = new List<KeyValuePair<string, string>>(claim.SignedHeaders.Count);
        foreach (var name in claim.SignedHeaders)
        {
            if (!request.TryGetHeader(name, out var value))
            {
                throw SigV4Rejections.SignedHeaderAbsent(name);
            }

            headers.Add(new(name, value));
        }

        return headers;
    }

    /// <summary>
    /// Fallback for clients that signed the path exactly as they sent it (different escaping of
    /// characters such as '%2F' or raw '+') rather than S3's decode-and-re-encode form.
    /// </summary>
    private static bool MatchesRawPath(
        byte[] signingKey,
        string method,
        string rawPath,
        string canonicalQuery,
        List<KeyValuePair<string, string>> signedHeaders,
        SignatureClaim claim)
    {
        var rawUri = rawPath.Length == 0 ? "/" : rawPath;
        if (rawUri == SigV4.CanonicalUri(rawPath))
        {
            return false;
        }

        var canonicalRequest = SigV4.CanonicalRequest(method, rawUri, canonicalQuery, signedHeaders, claim.PayloadHash);
        return Matches(signingKey, SigV4.StringToSign(claim.AmzDate, claim.Credential.Scope, canonicalRequest), claim.Signature);
    }

    private static bool Matches(byte[] signingKey, string stringToSign, string providedSignature) =>
        CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(SigV4.Sign(signingKey, stringToSign)),
            Encoding.ASCII.GetBytes(providedSignature));
}
