using Ztdr.S3.Errors;

namespace Ztdr.S3.Checksums;

/// <summary>
/// What a request asked the server to verify: one algorithm, with its expected value either in a header
/// (<see cref="ExpectedBase64"/> set) or arriving later in the aws-chunked trailer (<see cref="InTrailer"/>).
/// </summary>
public sealed record RequestedChecksum(ChecksumAlgorithm Algorithm, string? ExpectedBase64)
{
    public bool InTrailer => ExpectedBase64 is null;

    /// <summary>The header or trailer name that carries the value, e.g. <c>x-amz-checksum-crc32</c>.</summary>
    public string HeaderName => Algorithm.HeaderName();
}

/// <summary>
/// Reads the integrity headers of a write request (PutObject, UploadPart, ...). Every header lookup goes
/// through a <c>Func&lt;string, string?&gt;</c> taking a lower-case name and returning null when absent,
/// so this stays free of ASP.NET.
/// </summary>
public static class ChecksumRequest
{
    public const string TrailerHeader = "x-amz-trailer";
    public const string SdkAlgorithmHeader = "x-amz-sdk-checksum-algorithm";
    public const string ContentMd5Header = "content-md5";

    private const string ChecksumHeaderPrefix = "x-amz-checksum-";

    // In newer SDK models but not implemented here; a request naming them is refused rather than stored unverified.
    private static readonly string[] UnsupportedHeaders =
    [
        "x-amz-checksum-sha512", "x-amz-checksum-md5", "x-amz-checksum-xxhash64",
        "x-amz-checksum-xxhash3", "x-amz-checksum-xxhash128",
    ];

    /// <summary>
    /// The checksum the client asked to have verified, or null when it asked for none.
    /// Throws <see cref="S3Exception"/> (InvalidRequest) when the request is contradictory or malformed.
    /// </summary>
    public static RequestedChecksum? Parse(Func<string, string?> header)
    {
        ArgumentNullException.ThrowIfNull(header);

        foreach (var name in UnsupportedHeaders)
        {
            if (header(name) is not null)
            {
                throw Unsupported();
            }
        }

        RequestedChecksum? found = null;
        foreach (var algorithm in ChecksumAlgorithmNames.Supported)
        {
            var value = header(algorithm.HeaderName());
            if (value is null)
            {
                continue;
            }

            if (found is not null)
            {
                throw MoreThanOne();
            }

            if (!IsValidValue(algorithm, value))
            {
                throw new S3Exception(S3Errors.InvalidRequest, $"Value for {algorithm.HeaderName()} header is invalid.");
            }

            found = new RequestedChecksum(algorithm, value.Trim());
        }

        foreach (var trailer in TrailerNames(header))
        {
            if (!trailer.StartsWith(ChecksumHeaderPrefix, StringComparison.Ordinal))
            {
                throw new S3Exception(S3Errors.InvalidRequest, $"The trailer '{trailer}' is not supported; only x-amz-checksum-* trailers are.");
            }

            if (!ChecksumAlgorithmNames.TryParseHeaderName(trailer, out var algorithm))
            {
                throw Unsupported();
            }

            if (found is not null)
            {
                throw MoreThanOne();
            }

            found = new RequestedChecksum(algorithm, null);
        }

        var sdkAlgorithm = header(SdkAlgorithmHeader);
        if (sdkAlgorithm is not null)
        {
            if (!ChecksumAlgorithmNames.TryParseWireName(sdkAlgorithm, out var declared))
            {
                throw Unsupported();
            }

            if (found is null)
            {
                throw new S3Exception(
                    S3Errors.InvalidRequest,
                    "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.");
            }

            if (found.Algorithm != declared)
            {
                throw new S3Exception(
                    S3Errors.InvalidRequest,
                    $"Value for x-amz-sdk-checksum-algorithm header is invalid: it names {declared.WireName()} but the request carries {found.HeaderName}.");
            }
        }

        return found;
    }

    /// <summary>
    /// The trailer names announced in <c>x-amz-trailer</c> (comma-separated), lower-cased and trimmed, in order.
    /// These are the only trailers an aws-chunked body may carry.
    /// </summary>
    public static IReadOnlyList<string> TrailerNames(Func<string, string?> header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var value = header(TrailerHeader);
        if (string.IsNullOrWhiteSpace(value))
        {
            return [];
        }

        var names = new List<string>();
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var name = part.ToLowerInvariant();
            if (names.Contains(name))
            {
                throw new S3Exception(S3Errors.InvalidRequest, $"The trailer '{name}' is announced twice in x-amz-trailer.");
            }

            names.Add(name);
        }

        return names;
    }

    /// <summary>
    /// The 16 MD5 bytes from <c>Content-MD5</c>, or null when the header is absent.
    /// A value that is not base64 of exactly 16 bytes is rejected with InvalidDigest, as S3 does.
    /// </summary>
    public static byte[]? ParseContentMd5(Func<string, string?> header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var value = header(ContentMd5Header);
        if (value is null)
        {
            return null;
        }

        Span<byte> buffer = stackalloc byte[18];
        if (!Convert.TryFromBase64String(value.Trim(), buffer, out var written) || written != 16)
        {
            throw new S3Exception(S3Errors.InvalidDigest);
        }

        return buffer[..16].ToArray();
    }

    private static bool IsValidValue(ChecksumAlgorithm algorithm, string value)
    {
        // 32 bytes is the largest digest; one more slot lets an over-long value fail the length check below.
        Span<byte> buffer = stackalloc byte[33];
        return Convert.TryFromBase64String(value.Trim(), buffer, out var written) && written == algorithm.DigestLength();
    }

    private static S3Exception MoreThanOne() =>
        new(S3Errors.InvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");

    private static S3Exception Unsupported() =>
        new(S3Errors.InvalidRequest, "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
}
