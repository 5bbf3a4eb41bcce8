using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Ztdr.Backup.Stores;

/// <summary>
/// Base64 digests of an upload body, as the Content-MD5 and x-amz-checksum-crc32 headers carry them. Sent as headers the
/// server checks the bytes, AWS accepts Object Lock PUTs, and the SDK streams no trailing checksum (which Ceph RGW 16
/// refuses). Public for <c>assess</c>, whose canaries are written the same way.
/// </summary>
public sealed record UploadDigest(string Md5, string Crc32)
{
    public static UploadDigest Of(ReadOnlySpan<byte> content) =>
        new(Convert.ToBase64String(MD5.HashData(content)), BigEndian(System.IO.Hashing.Crc32.HashToUInt32(content)));

    /// <summary>The digests of <paramref name="content"/> from its position to its end; the position is restored.</summary>
    public static async Task<UploadDigest> OfAsync(Stream content, CancellationToken cancellationToken)
    {
        var start = content.Position;
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var crc32 = new System.IO.Hashing.Crc32();
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                md5.AppendData(buffer, 0, read);
                crc32.Append(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        content.Position = start;
        return new(Convert.ToBase64String(md5.GetHashAndReset()), BigEndian(crc32.GetCurrentHashAsUInt32()));
    }

    /// <summary>S3 writes a CRC32 as base64 of its 4 big-endian bytes.</summary>
    private static string BigEndian(uint crc)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, crc);
        return Convert.ToBase64String(bytes);
    }
}
