using System.Buffers.Binary;
using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Packing;

/// <summary>
/// One blob's place in a pack: the 48-byte entry of the pack trailer and of index objects (repository-format.md § 7):
/// type (1) | reserved 00 00 00 | blob id (32) | offset (4) | sealed length (4) | raw length (4).
/// </summary>
internal readonly record struct PackEntry(BlobType Type, BlobId Id, uint Offset, uint SealedLength, uint RawLength)
{
    public const int Length = 48;

    public long End => (long)Offset + SealedLength;

    public void WriteTo(Span<byte> destination)
    {
        destination[0] = (byte)Type;
        destination[1] = 0;
        destination[2] = 0;
        destination[3] = 0;
        Id.WriteTo(destination.Slice(4, BlobId.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(destination[36..], Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[40..], SealedLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[44..], RawLength);
    }

    public static PackEntry Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Length)
        {
            throw new RepositoryFormatException($"A pack entry is {Length} bytes, not {source.Length}.");
        }

        if (source[0] is not ((byte)BlobType.Data or (byte)BlobType.Tree))
        {
            throw new RepositoryFormatException($"A pack entry has blob type {source[0]}; this ztdr knows 1 (data) and 2 (tree).");
        }

        if (source[1] != 0 || source[2] != 0 || source[3] != 0)
        {
            throw new RepositoryFormatException("A pack entry's reserved bytes are not zero.");
        }

        var rawLength = BinaryPrimitives.ReadUInt32LittleEndian(source[44..]);
        var sealedLength = BinaryPrimitives.ReadUInt32LittleEndian(source[40..]);
        if (rawLength > Compression.BlobCompressor.MaxRawLength || sealedLength < BlobCipher.Overhead + 1)
        {
            throw new RepositoryFormatException($"A pack entry claims {rawLength} raw bytes in {sealedLength} sealed bytes: impossible lengths.");
        }

        return new PackEntry(
            (BlobType)source[0],
            new BlobId(source.Slice(4, BlobId.Length)),
            BinaryPrimitives.ReadUInt32LittleEndian(source[36..]),
            sealedLength,
            rawLength);
    }

    /// <summary>Serializes entries back to back.</summary>
    public static byte[] WriteAll(IReadOnlyList<PackEntry> entries)
    {
        var bytes = new byte[entries.Count * Length];
        for (var i = 0; i < entries.Count; i++)
        {
            entries[i].WriteTo(bytes.AsSpan(i * Length, Length));
        }

        return bytes;
    }

    /// <summary>Parses back-to-back entries and checks they do not overlap and lie in [header, <paramref name="limit"/>).</summary>
    public static List<PackEntry> ReadAll(ReadOnlySpan<byte> source, long limit)
    {
        if (source.Length % Length != 0)
        {
            throw new RepositoryFormatException($"A pack's entry list is {source.Length} bytes, not a multiple of {Length}.");
        }

        var count = source.Length / Length;
        if (count > PackWriter.MaxBlobs)
        {
            throw new RepositoryFormatException($"A pack lists {count} blobs; the limit is {PackWriter.MaxBlobs}.");
        }

        var entries = new List<PackEntry>(count);
        long previousEnd = ObjectHeader.Length;
        for (var i = 0; i < count; i++)
        {
            var entry = Read(source.Slice(i * Length, Length));
            if (entry.Offset < previousEnd || entry.End > limit)
            {
                throw new RepositoryFormatException($"Pack entry {i} at offset {entry.Offset} (+{entry.SealedLength}) overlaps another blob or lies outside the pack body.");
            }

            previousEnd = entry.End;
            entries.Add(entry);
        }

        return entries;
    }
}
