namespace Ztdr.S3.Checksums;

/// <summary>
/// The flexible-checksum algorithms the vault verifies and stores. The numeric values are persisted
/// with object metadata, so they never change; new algorithms are appended.
/// </summary>
public enum ChecksumAlgorithm
{
    Crc32 = 0,
    Crc32c = 1,
    Crc64Nvme = 2,
    Sha1 = 3,
    Sha256 = 4,
}

/// <summary>The names an algorithm goes by on the wire: its header, its XML/SDK name, and its digest size.</summary>
public static class ChecksumAlgorithmNames
{
    private static readonly ChecksumAlgorithm[] All =
    [
        ChecksumAlgorithm.Crc32, ChecksumAlgorithm.Crc32c, ChecksumAlgorithm.Crc64Nvme,
        ChecksumAlgorithm.Sha1, ChecksumAlgorithm.Sha256,
    ];

    /// <summary>Every supported algorithm, in the order AWS lists them.</summary>
    public static IReadOnlyList<ChecksumAlgorithm> Supported => All;

    /// <summary>The request/response header carrying the value, e.g. <c>x-amz-checksum-crc32</c> (lower-case).</summary>
    public static string HeaderName(this ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 => "x-amz-checksum-crc32",
        ChecksumAlgorithm.Crc32c => "x-amz-checksum-crc32c",
        ChecksumAlgorithm.Crc64Nvme => "x-amz-checksum-crc64nvme",
        ChecksumAlgorithm.Sha1 => "x-amz-checksum-sha1",
        ChecksumAlgorithm.Sha256 => "x-amz-checksum-sha256",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    /// <summary>The name used in <c>x-amz-sdk-checksum-algorithm</c>, <c>x-amz-checksum-algorithm</c> and XML, e.g. <c>CRC32</c>.</summary>
    public static string WireName(this ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 => "CRC32",
        ChecksumAlgorithm.Crc32c => "CRC32C",
        ChecksumAlgorithm.Crc64Nvme => "CRC64NVME",
        ChecksumAlgorithm.Sha1 => "SHA1",
        ChecksumAlgorithm.Sha256 => "SHA256",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    /// <summary>The XML element of a checksum value in S3 responses, e.g. <c>ChecksumCRC32</c>.</summary>
    public static string XmlElementName(this ChecksumAlgorithm algorithm) => "Checksum" + algorithm.WireName();

    /// <summary>Size in bytes of the binary digest (the base64 value decodes to exactly this many bytes).</summary>
    public static int DigestLength(this ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 or ChecksumAlgorithm.Crc32c => 4,
        ChecksumAlgorithm.Crc64Nvme => 8,
        ChecksumAlgorithm.Sha1 => 20,
        ChecksumAlgorithm.Sha256 => 32,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    /// <summary>Parses a wire name (<c>CRC32</c>, <c>crc64nvme</c>, ...), case-insensitively as SDKs vary in case.</summary>
    public static bool TryParseWireName(string? name, out ChecksumAlgorithm algorithm)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.WireName(), name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                algorithm = candidate;
                return true;
            }
        }

        algorithm = default;
        return false;
    }

    /// <summary>Parses a header or trailer name (<c>x-amz-checksum-crc32</c>), case-insensitively.</summary>
    public static bool TryParseHeaderName(string? name, out ChecksumAlgorithm algorithm)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.HeaderName(), name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                algorithm = candidate;
                return true;
            }
        }

        algorithm = default;
        return false;
    }
}
