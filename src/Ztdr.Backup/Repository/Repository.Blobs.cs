using Ztdr.Backup.Crypto;
using Ztdr.Backup.Index;
using Ztdr.Backup.Packing;

namespace Ztdr.Backup.Repository;

/// <content>Saving and loading blobs: dedupe, pack, upload, index (repository-format.md §§ 3, 7, 8).</content>
public sealed partial class Repository
{
    private readonly Dictionary<BlobType, PackWriter> _openPacks = [];

    // Uploaded packs not yet listed in an index object; their blobs are findable through _pendingBlobs meanwhile.
    private readonly List<IndexedPack> _pendingPacks = [];
    private readonly Dictionary<BlobId, BlobLocation> _pendingBlobs = [];

    // Packs holding a blob this session saved or deduplicated against: what a snapshot of this session depends on.
    private readonly HashSet<ObjectId> _referencedPacks = [];

    private BlobIndex _index = new();
    private readonly RandomFill _random = System.Security.Cryptography.RandomNumberGenerator.Fill;

    internal BlobIndex Index => _index;

    /// <summary>The packs this session's blobs live in (saved or deduplicated).</summary>
    public IReadOnlyCollection<ObjectId> ReferencedPacks => _referencedPacks;

    /// <summary>
    /// Saves a blob unless the repository or this session already holds one with the same id; returns the id.
    /// Full packs are uploaded as they fill, locked until <see cref="RunRetainUntil"/>.
    /// </summary>
    internal async Task<BlobId> SaveBlobAsync(BlobType type, ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken = default)
    {
        var id = _keys.ChunkIdKey.ComputeId(plaintext.Span);
        if (_index.TryGet(id, out var indexed) || _pendingBlobs.TryGetValue(id, out indexed))
        {
            _referencedPacks.Add(indexed.PackId);
            return id;
        }

        if (_openPacks.Values.Any(p => p.Contains(id)))
        {
            return id;
        }

        if (!_openPacks.TryGetValue(type, out var writer))
        {
            // Data and tree blobs go to separate packs, so loading trees does not download file content (§ 7).
            writer = new PackWriter(_keys, NewObjectId(), Config.PackTargetSize, _random);
            _openPacks[type] = writer;
        }

        writer.Add(type, id, plaintext.Span, _compressor);
        if (writer.IsFull)
        {
            await UploadPackAsync(type, cancellationToken);
        }

        return id;
    }

    /// <summary>Uploads partly filled packs, then one index object listing every pack uploaded since the last flush.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        foreach (var type in _openPacks.Keys.ToList())
        {
            await UploadPackAsync(type, cancellationToken);
        }

        if (_pendingPacks.Count == 0)
        {
            return;
        }

        var indexId = NewObjectId();
        var body = IndexWriter.Write(new IndexObject([], _pendingPacks));
        var sealedIndex = SealedObject.Seal(_keys, _compressor, ObjectType.Index, indexId, body);
        var retainUntil = RunRetainUntil;
        var name = RepositoryObjectNames.Index(indexId);
        await _store.PutNewAsync(name, sealedIndex, retainUntil, cancellationToken);
        NoteRetention(indexId, name, retainUntil);
        _index.Add(indexId, _pendingPacks);
        _pendingPacks.Clear();
        _pendingBlobs.Clear();
    }

    /// <summary>
    /// Loads a blob by id from its pack: authenticated, decompressed, id re-checked. Safe to call from several threads
    /// at once while nothing is being saved.
    /// </summary>
    internal async Task<byte[]> LoadBlobAsync(BlobId id, CancellationToken cancellationToken = default)
    {
        if (!_index.TryGet(id, out var location) && !_pendingBlobs.TryGetValue(id, out location))
        {
            if (_openPacks.Values.Any(p => p.Contains(id)))
            {
                throw new InvalidOperationException($"Blob {id} is in a pack not uploaded yet; flush first.");
            }

            throw new KeyNotFoundException($"Blob {id} is in no index of this repository. Run 'ztdr verify' to find what is missing.");
        }

        // Thread-safe: restore and verify load blobs from several workers; each borrows its own zstd context.
        var compressor = _readCompressors.Rent();
        try
        {
            return await PackReader.LoadBlobAsync(_store, RepositoryObjectNames.Pack(location.PackId), location.PackId, location.Entry, _keys, compressor, cancellationToken);
        }
        finally
        {
            _readCompressors.Return(compressor);
        }
    }

    private async Task UploadPackAsync(BlobType type, CancellationToken cancellationToken)
    {
        var writer = _openPacks[type];
        _openPacks.Remove(type);
        using (writer)
        {
            var bytes = writer.Finish(_compressor);
            var retainUntil = RunRetainUntil;
            var name = RepositoryObjectNames.Pack(writer.Id);

            // A retry of this call re-sends the same bytes under the same name (§ 1), which the store accepts.
            await _store.PutNewAsync(name, bytes, retainUntil, cancellationToken);
            var pack = new IndexedPack(writer.Id, retainUntil, [.. writer.Entries]);
            _pendingPacks.Add(pack);
            foreach (var entry in pack.Entries)
            {
                _pendingBlobs[entry.Id] = new BlobLocation(pack.PackId, entry);
            }

            _referencedPacks.Add(writer.Id);
            NoteRetention(writer.Id, name, retainUntil);
        }
    }

    private ObjectId NewObjectId()
    {
        Span<byte> bytes = stackalloc byte[ObjectId.Length];
        _random(bytes);
        return new ObjectId(bytes);
    }
}
