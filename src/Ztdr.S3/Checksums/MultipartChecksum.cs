using System.Globalization;
using Ztdr.S3.Errors;

namespace Ztdr.S3.Checksums;

/// <summary>
/// The COMPOSITE checksum of a multipart upload: the checksum of the concatenated binary part checksums,
/// followed by "-N" where N is the part count (e.g. <c>wSKXzw==-3</c>). SDKs do not validate these values
/// against the data, but they must be stable and in this format.
/// </summary>
public static class MultipartChecksum
{
    /// <summary>Takes the parts' checksums in part-number order, as stored for each part.</summary>
    public static string Composite(ChecksumAlgorithm algorithm, IReadOnlyList<string> partChecksumsBase64)
    {
        ArgumentNullException.ThrowIfNull(partChecksumsBase64);
        if (partChecksumsBase64.Count == 0)
        {
            throw new ArgumentException("A multipart upload has at least one part.", nameof(partChecksumsBase64));
        }

        var length = algorithm.DigestLength();
        Span<byte> part = stackalloc byte[32];
        using var outer = ObjectChecksum.Create(algorithm);
        foreach (var value in partChecksumsBase64)
        {
            if (value is null || !Convert.TryFromBase64String(value, part, out var written) || written != length)
            {
                throw new S3Exception(S3Errors.InvalidPart, $"The part checksum '{value}' is not a valid {algorithm.WireName()} value.");
            }

            outer.Append(part[..length]);
        }

        return $"{outer.GetCurrentBase64()}-{partChecksumsBase64.Count.ToString(CultureInfo.InvariantCulture)}";
    }
}
