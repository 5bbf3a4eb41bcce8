using System.Globalization;
using System.Text;

namespace Ztdr.S3.Signing;

/// <summary>
/// Signs S3 requests with SigV4 — by Authorization header or as a presigned URL — using the same
/// canonicalisation the <see cref="SigV4Verifier"/> applies, so what one signs the other accepts.
/// For tests, and for the CLI that hands out presigned URLs.
/// </summary>
public sealed class SigV4Signer
{
    /// <summary>Headers that proxies and HTTP stacks rewrite or drop; signing them only breaks requests (botocore skips them too).</summary>
    private static readonly HashSet<string> NeverSigned = new(StringComparer.Ordinal)
    {
        "authorization", "user-agent", "expect", "transfer-encoding", "x-amzn-trace-id",
    };

    private readonly string _secretAccessKey;
    private readonly TimeProvider _time;

    public SigV4Signer(string accessKeyId, string secretAccessKey, string region, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessKeyId);
        ArgumentException.ThrowIfNullOrEmpty(secretAccessKey);
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentNullException.ThrowIfNull(time);
        AccessKeyId = accessKeyId;
        Region = region;
        _secretAccessKey = secretAccessKey;
        _time = time;
    }

    public string AccessKeyId { get; }

    public string Region { get; }

    /// <summary>
    /// Signs with an Authorization header. <paramref name="headers"/> must include Host; x-amz-date
    /// (now) and x-amz-content-sha256 (<paramref name="payloadHash"/>) are added unless given. Every
    /// header given is signed except the few that intermediaries rewrite (User-Agent, Expect, ...).
    /// <paramref name="rawTarget"/> is path and query exactly as they will go on the request line (already
    /// encoded); <paramref name="payloadHash"/> the hex SHA-256 of the body, UNSIGNED-PAYLOAD or a STREAMING-* value.
    /// </summary>
    public SignedRequest SignHeaders(string method, string rawTarget, IEnumerable<KeyValuePair<string, string>> headers, string payloadHash)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentException.ThrowIfNullOrEmpty(payloadHash);

        var request = new SignedRequest(method, rawTarget, headers);
        if (!request.TryGetHeader("host", out _))
        {
            throw new ArgumentException("The headers must include Host: SigV4 always signs it.", nameof(headers));
        }

        if (!request.TryGetHeader("x-amz-date", out var amzDate))
        {
            amzDate = SigV4.FormatAmzDate(_time.GetUtcNow());
            request = request.WithHeader("x-amz-date", amzDate);
        }

        if (!request.TryGetHeader("x-amz-content-sha256", out _))
        {
            request = request.WithHeader("x-amz-content-sha256", payloadHash);
        }

        var signed = request.Headers.Where(static h => !NeverSigned.Contains(h.Key)).ToList();
        var (path, query) = RequestTarget.Split(rawTarget);
        var scope = SigV4.Scope(amzDate[..8], Region);
        var canonicalRequest = SigV4.CanonicalRequest(method, SigV4.CanonicalUri(path), SigV4.CanonicalQuery(query), signed, payloadHash);
        var signature = SigV4.Sign(SigningKey(amzDate), SigV4.StringToSign(amzDate, scope, canonicalRequest));

        var authorization = $"{SigV4.Algorithm} Credential={AccessKeyId}/{scope}, " +
            $"SignedHeaders={SigV4.SignedHeaders(signed.Select(static h => h.Key))}, Signature={signature}";
        return request.WithHeader("authorization", authorization);
    }

    /// <summary>
    /// A presigned target: <paramref name="rawTarget"/> with the X-Amz-* authentication parameters
    /// appended. The payload is UNSIGNED-PAYLOAD unless the target carries X-Amz-Content-Sha256. Only Host and <paramref name="signedHeaders"/> are
    /// signed; whoever uses the URL must send exactly those values. <paramref name="expiresIn"/> runs
    /// from one second to seven days.
    /// </summary>
    public string Presign(
        string method,
        string rawTarget,
        string host,
        TimeSpan expiresIn,
        IEnumerable<KeyValuePair<string, string>>? signedHeaders = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(rawTarget);
        ArgumentException.ThrowIfNullOrEmpty(host);
        var expiresSeconds = (long)expiresIn.TotalSeconds;
        if (expiresSeconds is < 1 or > SignatureClaim.MaxExpiresSeconds)
        {
            throw new ArgumentOutOfRangeException(nameof(expiresIn), "A SigV4 presigned URL lives from one second to seven days.");
        }

        var headers = new SignedRequest(method, rawTarget, [new("host", host), .. signedHeaders ?? []]).Headers.ToList();
        var amzDate = SigV4.FormatAmzDate(_time.GetUtcNow());
        var scope = SigV4.Scope(amzDate[..8], Region);
        var (path, query) = RequestTarget.Split(rawTarget);

        var builder = new StringBuilder(query);
        void Append(string name, string value) =>
            builder.Append(builder.Length == 0 ? string.Empty : "&").Append(name).Append('=').Append(SigV4.UriEncode(value, encodeSlash: true));
        Append("X-Amz-Algorithm", SigV4.Algorithm);
        Append("X-Amz-Credential", $"{AccessKeyId}/{scope}");
        Append("X-Amz-Date", amzDate);
        Append("X-Amz-Expires", expiresSeconds.ToString(CultureInfo.InvariantCulture));
        Append("X-Amz-SignedHeaders", SigV4.SignedHeaders(headers.Select(static h => h.Key)));
        var signedQuery = builder.ToString();

        // A target that already carries X-Amz-Content-Sha256 binds the URL to that body.
        var payloadHash = RequestTarget.ParseQuery(query).FirstOrDefault(static p => p.Key == "X-Amz-Content-Sha256").Value ?? SigV4.UnsignedPayload;
        var canonicalRequest = SigV4.CanonicalRequest(method, SigV4.CanonicalUri(path), SigV4.CanonicalQuery(signedQuery), headers, payloadHash);
        var signature = SigV4.Sign(SigningKey(amzDate), SigV4.StringToSign(amzDate, scope, canonicalRequest));
        return $"{path}?{signedQuery}&X-Amz-Signature={signature}";
    }

    private byte[] SigningKey(string amzDate) => SigV4.DeriveSigningKey(_secretAccessKey, amzDate[..8], Region);
}
