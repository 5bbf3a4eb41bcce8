using Ztdr.Backup.Crypto;
using Ztdr.Backup.Packing;

namespace Ztdr.Backup.Index;

/// <summary>
/// Blob id → where the blob is, in 60 bytes an entry instead of 120: the pack is an ordinal into a list of pack ids
/// (a pack holds hundreds of blobs; its 32-byte id was repeated in each), and the blob id is not stored twice (it is
/// the key). A backup of 500,000 small files holds one per new blob, and a dictionary briefly holds two arrays while it
/// grows: the per-blob size is what made peak memory grow with the file count (issue 14).
/// </summary>
/// <remarks>Not thread-safe.</remarks>
internal sealed class BlobLocations
{
    private readonly Dictionary<BlobId, Slot> _slots = [];
    private readonly List<ObjectId> _packs = [];
    private readonly Dictionary<ObjectId, int> _packOrdinals = [];

    public int Count => _slots.Count;

    public bool ContainsKey(BlobId id) => _slots.ContainsKey(id);

    public bool TryGet(BlobId id, out BlobLocation location)
    {
        if (_slots.TryGetValue(id, out var slot))
        {
            location = new BlobLocation(_packs[slot.Pack], new PackEntry(slot.Type, id, slot.Offset, slot.SealedLength, slot.RawLength));
            return true;
        }

        location = default;
        return false;
    }

    /// <summary>Adds the blob's location unless one is known already (a blob in two packs keeps its first).</summary>
    public bool TryAdd(ObjectId packId, PackEntry entry) => _slots.TryAdd(entry.Id, SlotOf(packId, entry));

    /// <summary>Sets the blob's location, replacing any known one.</summary>
    public void Set(ObjectId packId, PackEntry entry) => _slots[entry.Id] = SlotOf(packId, entry);

    public void Clear()
    {
        _slots.Clear();
        _packs.Clear();
        _packOrdinals.Clear();
    }

    private Slot SlotOf(ObjectId packId, PackEntry entry)
    {
        if (!_packOrdinals.TryGetValue(packId, out var ordinal))
        {
            ordinal = _packs.Count;
            _packs.Add(packId);
            _packOrdinals[packId] = ordinal;
        }

        return new Slot(ordinal, entry.Offset, entry.SealedLength, entry.RawLength, entry.Type);
    }

    private readonly record struct Slot(int Pack, uint Offset, uint SealedLength, uint RawLength, BlobType Type);
}
