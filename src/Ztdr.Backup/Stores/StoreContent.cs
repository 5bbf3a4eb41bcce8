using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Ztdr.Backup.Stores;

/// <summary>Content plumbing shared by the stores: memory as a stream, and the same-content test of the retry rule.</summary>
internal static class StoreContent
{
    public static Stream AsStream(ReadOnlyMemory<byte> content) =>
        MemoryMarshal.TryGetArray(content, out var segment) && segment.Array is not null
            ? new MemoryStream(segment.Array, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);

    /// <summary>SHA-256 of <paramref name="content"/> from <paramref name="start"/>, or null when it cannot be re-read.</summary>
    public static async Task<byte[]?> HashFromAsync(Stream content, long start, CancellationToken cancellationToken)
    {
        if (!content.CanSeek)
        {
            return null;
        }

        content.Position = start;
        return await SHA256.HashDataAsync(content, cancellationToken);
    }

    public static async Task<byte[]> HashAsync(Stream content, CancellationToken cancellationToken) =>
        await SHA256.HashDataAsync(content, cancellationToken);
}
