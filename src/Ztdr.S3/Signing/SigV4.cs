using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ztdr.S3.Signing;

/// <summary>
/// The building blocks of AWS Signature Version 4 for S3, shared by the vault's verifier and by
/// clients that sign (<see cref="SigV4Signer"/>). Pure functions; the same code on both sides is
/// what keeps signer and verifier from drifting apart.
/// </summary>
public static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string Service = "s3";
    public const string ScopeTerminator = "aws4_request";
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    public const string StreamingSignedPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    public const string StreamingSignedPayloadTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    public const string StreamingUnsignedPayloadTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

    /// <summary>SHA-256 of zero bytes: the payload hash of every bodiless request.</summary>
    public const string EmptyPayloadSha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>ISO-8601 basic format of x-amz-date / X-Amz-Date.</summary>
    public const string AmzDateFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>Formats a time the way x-amz-date carries it (UTC, second precision).</summary>
    public static string FormatAmzDate(DateTimeOffset time) =>
        time.UtcDateTime.ToString(AmzDateFormat, CultureInfo.InvariantCulture);

    /// <summary>yyyyMMdd/region/service/aws4_request.</summary>
    public static string Scope(string date, string region, string service = Service) =>
        $"{date}/{region}/{service}/{ScopeTerminator}";

    /// <summary>HMAC chain "AWS4"+secret → date → region → service → "aws4_request".</summary>
    public static byte[] DeriveSigningKey(string secretAccessKey, string date, string region, string service = Service)
    {
        ArgumentNullException.ThrowIfNull(secretAccessKey);
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(ScopeTerminator));
    }

    /// <summary>S3's URI encoding of a decoded value; '/' is kept unless <paramref name="encodeSlash"/>.</summary>
    public static string UriEncode(string value, bool encodeSlash) => S3UriEncoding.Encode(value, encodeSlash);

    /// <summary>
    /// Canonical URI from a path as received (still percent-encoded): decoded once and re-encoded with
    /// S3's rules. No normalisation: '//', '.', '..' stay, because S3 keys may contain them.
    /// </summary>
    public static string CanonicalUri(string rawPath)
    {
        ArgumentNullException.ThrowIfNull(rawPath);
        return rawPath.Length == 0 ? "/" : S3UriEncoding.Encode(S3UriEncoding.Decode(rawPath, plusIsSpace: false), encodeSlash: false);
    }

    /// <summary>
    /// Canonical query from a query string as received (without '?'): each parameter decoded (a bare
    /// '+' is a space) and re-encoded, '/' included; valueless keys become "name="; sorted by name,
    /// then value. <paramref name="excludeName"/> (decoded) is left out — X-Amz-Signature for presigned URLs.
    /// </summary>
    public static string CanonicalQuery(string rawQuery, string? excludeName = null)
    {
        ArgumentNullException.ThrowIfNull(rawQuery);
        var pairs = new List<(string Name, string Value)>();
        foreach (var parameter in rawQuery.Split('&'))
        {
            if (parameter.Length == 0)
            {
                continue;
            }

            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            var rawName = equals < 0 ? parameter : parameter[..equals];
            var rawValue = equals < 0 ? string.Empty : parameter[(equals + 1)..];
            var name = S3UriEncoding.Decode(rawName, plusIsSpace: true);
            if (excludeName is not null && Encoding.UTF8.GetString(name) == excludeName)
            {
                continue;
            }

            pairs.Add((S3UriEncoding.Encode(name, encodeSlash: true),
                S3UriEncoding.Encode(S3UriEncoding.Decode(rawValue, plusIsSpace: true), encodeSlash: true)));
        }

        pairs.Sort(static (a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });
        return string.Join('&', pairs.Select(static p => p.Name + "=" + p.Value));
    }

    /// <summary>Lower-case, sorted, ';'-joined header names: the SignedHeaders value.</summary>
    public static string SignedHeaders(IEnumerable<string> headerNames) =>
        string.Join(';', headerNames.Select(static n => n.ToLowerInvariant()).Order(StringComparer.Ordinal));

    /// <summary>
    /// METHOD\nURI\nQUERY\nheaders (lower-case, sorted, values trimmed with inner whitespace runs
    /// collapsed), blank line, SignedHeaders\nPayloadHash. <paramref name="signedHeaders"/> are exactly
    /// the headers to sign, with the values as received.
    /// </summary>
    public static string CanonicalRequest(
        string method,
        string canonicalUri,
        string canonicalQuery,
        IEnumerable<KeyValuePair<string, string>> signedHeaders,
        string payloadHash)
    {
        ArgumentNullException.ThrowIfNull(signedHeaders);
        var headers = signedHeaders
            .Select(static h => (Name: h.Key.ToLowerInvariant(), Value: CanonicalHeaderValue(h.Value)))
            .OrderBy(static h => h.Name, StringComparer.Ordinal)
            .ToList();

        var builder = new StringBuilder(256);
        builder.Append(method).Append('\n')
            .Append(canonicalUri).Append('\n')
            .Append(canonicalQuery).Append('\n');
        foreach (var (name, value) in headers)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }

        builder.Append('\n')
            .Append(string.Join(';', headers.Select(static h => h.Name))).Append('\n')
            .Append(payloadHash);
        return builder.ToString();
    }

    /// <summary>AWS4-HMAC-SHA256\namzDate\nscope\nhex(SHA-256(canonical request)).</summary>
    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{amzDate}\n{scope}\n{Sha256Hex(canonicalRequest)}";

    /// <summary>Lower-case hex HMAC-SHA256 of <paramref name="stringToSign"/> under the derived key.</summary>
    public static string Sign(byte[] signingKey, string stringToSign) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));

    public static string Sha256Hex(string text) => Sha256Hex(Encoding.UTF8.GetBytes(text));

    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Trim, and collapse every inner run of whitespace to one space (what botocore and MinIO do).</summary>
    internal static string CanonicalHeaderValue(string value)
    {
        var builder = new StringBuilder(value.Length);
        var pendingSpace = false;
        foreach (var c in value.AsSpan().Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = true;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}
