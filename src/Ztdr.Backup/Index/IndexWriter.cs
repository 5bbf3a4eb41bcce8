using System.Buffers.Binary;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Packing;

namespace Ztdr.Backup.Index;

/// <summary>
/// Serializes an index object body (repository-format.md § 8): u32 supersededCount | ids | u32 packCount |
/// packCount × { pack id (32) | u64 retainUntil (Unix s) | u32 entryCount | entries (48 each) }.
/// </summary>
internal static class IndexWriter
{
    public static byte[] Write(IndexObject index)
    {
        var length = 4 + (index.Supersedes.Count * ObjectId.Length) + 4
            + index.Packs.Sum(p => (long)ObjectId.Length + 8 + 4 + ((long)p.Entries.Count * PackEntry.Length));
        if (length > Compression.BlobCompressor.MaxRawLength)
        {
            throw new InvalidOperationException($"An index object of {length} bytes exceeds the {Compression.BlobCompressor.MaxRawLength}-byte body cap; split it.");
        }

        var bytes = new byte[length];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)index.Supersedes.Count);
        span = span[4..];
        foreach (var id in index.Supersedes)
        {
            id.WriteTo(span);
            span = span[ObjectId.Length..];
        }

        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)index.Packs.Count);
        span = span[4..];
        foreach (var pack in index.Packs)
        {
            pack.PackId.WriteTo(span);
            BinaryPrimitives.WriteUInt64LittleEndian(span[ObjectId.Length..], (ulong)pack.RetainUntil.ToUnixTimeSeconds());
            BinaryPrimitives.WriteUInt32LittleEndian(span[(ObjectId.Length + 8)..], (uint)pack.Entries.Count);
            span = span[(ObjectId.Length + 12)..];
            foreach (var entry in pack.Entries)
            {
                entry.WriteTo(span);
                span = span[PackEntry.Length..];
            }
        }

        return bytes;
    }
}
