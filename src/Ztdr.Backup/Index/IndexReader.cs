using System.Buffers.Binary;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Packing;

namespace Ztdr.Backup.Index;

/// <summary>Parses an index object body (repository-format.md § 8), rejecting counts the bytes cannot hold.</summary>
internal static class IndexReader
{
    public static IndexObject Read(ReadOnlySpan<byte> body)
    {
        var reader = new Cursor(body);
        var supersededCount = reader.Count(ObjectId.Length);
        var supersedes = new List<ObjectId>(supersededCount);
        for (var i = 0; i < supersededCount; i++)
        {
            supersedes.Add(new ObjectId(reader.Take(ObjectId.Length)));
        }

        var packCount = reader.Count(ObjectId.Length + 12);
        var packs = new List<IndexedPack>(packCount);
        for (var i = 0; i < packCount; i++)
        {
            var packId = new ObjectId(reader.Take(ObjectId.Length));
            var retainUntil = BinaryPrimitives.ReadUInt64LittleEndian(reader.Take(8));
            if (retainUntil > (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            {
                throw new RepositoryFormatException($"Index entry for pack {packId} has an impossible retain-until {retainUntil}.");
            }

            var entryCount = reader.Count(PackEntry.Length);
            if (entryCount > PackWriter.MaxBlobs)
            {
                throw new RepositoryFormatException($"Index entry for pack {packId} lists {entryCount} blobs; the limit is {PackWriter.MaxBlobs}.");
            }

            var entries = PackEntry.ReadAll(reader.Take(entryCount * PackEntry.Length), PackWriter.MaxPackLength);
            packs.Add(new IndexedPack(packId, DateTimeOffset.FromUnixTimeSeconds((long)retainUntil), entries));
        }

        if (!reader.AtEnd)
        {
            throw new RepositoryFormatException("An index object has bytes after its last pack.");
        }

        return new IndexObject(supersedes, packs);
    }

    private ref struct Cursor(ReadOnlySpan<byte> source)
    {
        private ReadOnlySpan<byte> _rest = source;

        public readonly bool AtEnd => _rest.IsEmpty;

        public ReadOnlySpan<byte> Take(int length)
        {
            if (length > _rest.Length)
            {
                throw new RepositoryFormatException("An index object is truncated.");
            }

            var taken = _rest[..length];
            _rest = _rest[length..];
            return taken;
        }

        /// <summary>A u32 count of items of at least <paramref name="itemLength"/> bytes that the remaining bytes can hold.</summary>
        public int Count(int itemLength)
        {
            var count = BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
            if (count > (ulong)_rest.Length / (ulong)itemLength)
            {
                throw new RepositoryFormatException($"An index object claims {count} items in {_rest.Length} bytes.");
            }

            return (int)count;
        }
    }
}
