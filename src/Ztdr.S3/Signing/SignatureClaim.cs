using System.Globalization;

namespace Ztdr.S3.Signing;

/// <summary>
/// What a request claims about its own signature, parsed from the Authorization header or the
/// presigned-URL query parameters but not yet checked against time, keys or the signature itself.
/// </summary>
internal sealed record SignatureClaim(
    bool Presigned,
    Credential Credential,
    IReadOnlyList<string> SignedHeaders,
    string Signature,
    string AmzDate,
    DateTimeOffset RequestTime,
    int? ExpiresSeconds,
    string PayloadHash,
    PayloadMode PayloadMode,
    string? PayloadSha256Hex)
{
    /// <summary>Seven days: the longest a SigV4 presigned URL may live.</summary>
    public const int MaxExpiresSeconds = 604800;

    private static readonly string[] HttpDateFormats =
    [
        "r",
        "ddd, d MMM yyyy HH':'mm':'ss 'GMT'",
        "dddd, dd-MMM-yy HH':'mm':'ss 'GMT'",
        "ddd MMM d HH':'mm':'ss yyyy",
    ];

    public static SignatureClaim FromAuthorizationHeader(string authorization, ISignedRequest request)
    {
        var (credential, signedHeaders, signature) = ParseAuthorization(authorization.Trim());

        if (!request.TryGetHeader("x-amz-content-sha256", out var contentSha256))
        {
            throw SigV4Rejections.MissingContentSha256();
        }

        contentSha256 = contentSha256.Trim();
        var (mode, sha256Hex) = PayloadModeParser.Parse(contentSha256, presigned: false);

        string amzDate;
        DateTimeOffset requestTime;
        if (request.TryGetHeader("x-amz-date", out var xAmzDate))
        {
            amzDate = xAmzDate.Trim();
            if (!TryParseAmzDate(amzDate, out requestTime))
            {
                throw SigV4Rejections.MissingDate();
            }
        }
        else if (request.TryGetHeader("date", out var date) &&
                 DateTimeOffset.TryParseExact(date.Trim(), HttpDateFormats, CultureInfo.InvariantCulture,
                     DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out requestTime))
        {
            // Signers that rely on Date put its ISO-8601 basic form in the string to sign.
            amzDate = SigV4.FormatAmzDate(requestTime);
        }
        else
        {
            throw SigV4Rejections.MissingDate();
        }

        return new SignatureClaim(false, credential, signedHeaders, signature, amzDate, requestTime, null, contentSha256, mode, sha256Hex);
    }

    /// <param name="parameters">Decoded query parameters, in order, duplicates kept.</param>
    public static SignatureClaim FromPresignedQuery(IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        var algorithm = Single(parameters, "X-Amz-Algorithm");
        if (algorithm != SigV4.Algorithm)
        {
            throw algorithm.StartsWith("AWS4-ECDSA", StringComparison.Ordinal)
                ? SigV4Rejections.SignatureVersion4A()
                : SigV4Rejections.UnsupportedAlgorithm(presigned: true, algorithm);
        }

        var credential = Credential.Parse(Single(parameters, "X-Amz-Credential"), presigned: true);
        var amzDate = Single(parameters, "X-Amz-Date");
        if (!TryParseAmzDate(amzDate, out var requestTime))
        {
            throw SigV4Rejections.Malformed(true, $"X-Amz-Date must be in the ISO8601 Long Format \"{SigV4.AmzDateFormat}\".");
        }

        var expiresText = Single(parameters, "X-Amz-Expires");
        if (!int.TryParse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture, out var expires) ||
            expires is < 1 or > MaxExpiresSeconds)
        {
            throw SigV4Rejections.Malformed(true, $"X-Amz-Expires must be a whole number of seconds from 1 to {MaxExpiresSeconds} (seven days).");
        }

        var signedHeaders = ParseSignedHeaders(Single(parameters, "X-Amz-SignedHeaders"), presigned: true);
        var signature = ParseSignature(Single(parameters, "X-Amz-Signature"), presigned: true);

        var payloadHash = Optional(parameters, "X-Amz-Content-Sha256") ?? SigV4.UnsignedPayload;
        var (mode, sha256Hex) = PayloadModeParser.Parse(payloadHash, presigned: true);

        return new SignatureClaim(true, credential, signedHeaders, signature, amzDate, requestTime, expires, payloadHash, mode, sha256Hex);
    }

    private static (Credential Credential, IReadOnlyList<string> SignedHeaders, string Signature) ParseAuthorization(string authorization)
    {
        var space = authorization.IndexOfAny([' ', '\t']);
        var algorithm = space < 0 ? authorization : authorization[..space];
        if (algorithm != SigV4.Algorithm)
        {
            throw algorithm switch
            {
                "AWS" => SigV4Rejections.SignatureVersion2(),
                _ when algorithm.StartsWith("AWS4-ECDSA", StringComparison.Ordinal) => SigV4Rejections.SignatureVersion4A(),
                _ => SigV4Rejections.UnsupportedAlgorithm(presigned: false, algorithm),
            };
        }

        var components = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var component in authorization[algorithm.Length..].Split(','))
        {
            var trimmed = component.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }

            var equals = trimmed.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? trimmed : trimmed[..equals].TrimEnd();
            if (name is not ("Credential" or "SignedHeaders" or "Signature"))
            {
                throw SigV4Rejections.Malformed(false, $"The authorization header is malformed; unexpected component '{name}'.");
            }

            if (equals < 0 || !components.TryAdd(name, trimmed[(equals + 1)..].TrimStart()))
            {
                throw SigV4Rejections.Malformed(false, $"The authorization header is malformed; '{name}' must appear once, as {name}=value.");
            }
        }

        if (!components.TryGetValue("Credential", out var credential) ||
            !components.TryGetValue("SignedHeaders", out var signedHeaders) ||
            !components.TryGetValue("Signature", out var signature))
        {
            throw SigV4Rejections.Malformed(false,
                "The authorization header is malformed; it needs Credential=..., SignedHeaders=... and Signature=... after AWS4-HMAC-SHA256.");
        }

        return (Credential.Parse(credential, presigned: false), ParseSignedHeaders(signedHeaders, presigned: false), ParseSignature(signature, presigned: false));
    }

    private static List<string> ParseSignedHeaders(string value, bool presigned)
    {
        var names = value.Split(';').Select(static n => n.Trim().ToLowerInvariant()).ToList();
        if (names.Any(static n => n.Length == 0) || names.Distinct(StringComparer.Ordinal).Count() != names.Count)
        {
            throw SigV4Rejections.Malformed(presigned, $"SignedHeaders '{value}' must be a ';'-separated list of distinct header names.");
        }

        return names;
    }

    private static string ParseSignature(string value, bool presigned) =>
        PayloadModeParser.IsSha256Hex(value)
            ? value.ToLowerInvariant()
            : throw SigV4Rejections.Malformed(presigned, "The signature must be 64 hexadecimal characters.");

    private static bool TryParseAmzDate(string value, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(value, SigV4.AmzDateFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);

    private static string Single(IReadOnlyList<KeyValuePair<string, string>> parameters, string name) =>
        Optional(parameters, name) ?? throw SigV4Rejections.Malformed(true, $"Query-string authentication requires the {name} parameter.");

    private static string? Optional(IReadOnlyList<KeyValuePair<string, string>> parameters, string name)
    {
        string? found = null;
        foreach (var (key, value) in parameters)
        {
            if (key != name)
            {
                continue;
            }

            // Two values for one auth parameter would let signer and verifier read different ones.
            if (found is not null)
            {
                throw SigV4Rejections.Malformed(true, $"The {name} parameter must appear only once.");
            }

            found = value;
        }

        return found;
    }
}
