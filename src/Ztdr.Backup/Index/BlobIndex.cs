using Ztdr.Backup.Crypto;
using Ztdr.Backup.Packing;

namespace Ztdr.Backup.Index;

/// <summary>Where a blob lives: a pack and the blob's entry in it.</summary>
internal readonly record struct BlobLocation(ObjectId PackId, PackEntry Entry);

/// <summary>
/// The in-memory index of a repository: blob id → pack and entry, and which index objects describe each pack
/// (repository-format.md § 8). Built from every index object not superseded by another one. Not thread-safe.
/// </summary>
internal sealed class BlobIndex
{
    private readonly BlobLocations _blobs = new();
    private readonly Dictionary<ObjectId, IndexedPack> _packs = [];
    private readonly Dictionary<ObjectId, List<ObjectId>> _indexObjectsOfPack = [];
    private readonly HashSet<ObjectId> _indexObjects = [];
    private readonly HashSet<ObjectId> _superseded = [];

    public int BlobCount => _blobs.Count;

    public IReadOnlyCollection<ObjectId> IndexObjectIds => _indexObjects;

    /// <summary>
    /// Every index object id that a loaded index object supersedes. Prune supersedes these again in its replacement,
    /// so an old object that outlives the one superseding it (a longer lock) can never come back into force.
    /// </summary>
    public IReadOnlyCollection<ObjectId> SupersededIds => _superseded;

    public IReadOnlyDictionary<ObjectId, IndexedPack> Packs => _packs;

    /// <summary>
    /// Loads index objects, ignoring those that another loaded index object supersedes (prune wrote a replacement;
    /// the old one stays until its lock expires, and must not resurrect deleted packs).
    /// </summary>
    public static BlobIndex Load(IReadOnlyDictionary<ObjectId, IndexObject> indexObjects)
    {
        var superseded = indexObjects.Values.SelectMany(i => i.Supersedes).ToHashSet();
        var index = new BlobIndex();
        index._superseded.UnionWith(superseded);
        foreach (var (id, indexObject) in indexObjects)
        {
            if (!superseded.Contains(id))
            {
                index.Add(id, indexObject.Packs);
            }
        }

        return index;
    }

    public bool Has(BlobId id) => _blobs.ContainsKey(id);

    public bool TryGet(BlobId id, out BlobLocation location) => _blobs.TryGet(id, out location);

    /// <summary>The index objects that list <paramref name="packId"/> (empty while its index object is not written yet).</summary>
    public IReadOnlyList<ObjectId> IndexObjectsOf(ObjectId packId) =>
        _indexObjectsOfPack.TryGetValue(packId, out var ids) ? ids : [];

    /// <summary>Adds packs described by index object <paramref name="indexId"/>. A blob in several packs keeps its first location.</summary>
    public void Add(ObjectId indexId, IEnumerable<IndexedPack> packs)
    {
        _indexObjects.Add(indexId);
        foreach (var pack in packs)
        {
            if (!_packs.TryGetValue(pack.PackId, out var known) || known.RetainUntil < pack.RetainUntil)
            {
                _packs[pack.PackId] = pack;
            }

            if (!_indexObjectsOfPack.TryGetValue(pack.PackId, out var ids))
            {
                ids = [];
                _indexObjectsOfPack[pack.PackId] = ids;
            }

            ids.Add(indexId);
            foreach (var entry in pack.Entries)
            {
                _blobs.TryAdd(pack.PackId, entry);
            }
        }
    }
}
