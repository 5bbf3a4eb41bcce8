using System.Buffers;
using Ztdr.Backup.Compression;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Index;
using Ztdr.Backup.Packing;

namespace Ztdr.Backup.Repository;

/// <content>
/// Saving and loading blobs: dedupe, pack, upload, index (repository-format.md §§ 3, 7, 8).
/// <para>
/// Threading contract: <see cref="SaveBlobAsync"/>, <see cref="StoreBlobAsync"/>, <see cref="ReferenceBlobs"/> and
/// <see cref="LoadBlobAsync"/> may be called from any number of threads at once. Ids are computed and blobs compressed
/// outside any lock (the slow part); one short lock (<c>_gate</c>) covers the dedupe decision, appending the sealed blob
/// to its open pack and recording an uploaded pack. A blob id is claimed once (<c>_inFlight</c>) from the moment a
/// caller decides to store it until its pack is uploaded, so two callers saving the same content at the same time
/// store it once. At most <see cref="MaxConcurrentUploads"/> packs upload at once; the caller that filled a pack
/// uploads it and waits for a slot, which is the back-pressure on the writers (full packs in memory: at most one per
/// concurrent caller). <see cref="FlushAsync"/>,
/// <see cref="ReferencedPacks"/> and lock coverage must be used only once every save has returned (the archiver
/// finishes its pipeline first).
/// </para>
/// </content>
public sealed partial class Repository
{
    /// <summary>Packs uploading at once: enough to hide a round trip behind compression, few enough to bound memory.</summary>
    public const int MaxConcurrentUploads = 2;

    /// <summary>Trees are small and a run writes few: their pack starts small and grows, rather than holding a data pack's array.</summary>
    private const int TreePackInitialCapacity = 256 * 1024;

    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _uploadSlots = new(MaxConcurrentUploads);

    private readonly Dictionary<BlobType, PackWriter> _openPacks = [];

    // Uploaded packs not yet listed in an index object; their blobs are findable through _pendingBlobs meanwhile.
    private readonly List<IndexedPack> _pendingPacks = [];
    private readonly BlobLocations _pendingBlobs = new();

    // Blobs claimed by a save and not yet in an uploaded pack (open, full-and-waiting or uploading).
    private readonly HashSet<BlobId> _inFlight = [];

    // Packs holding a blob this session saved or deduplicated against: what a snapshot of this session depends on.
    private readonly HashSet<ObjectId> _referencedPacks = [];

    private BlobIndex _index = new();
    private readonly RandomFill _random = System.Security.Cryptography.RandomNumberGenerator.Fill;

    // Compressed blobs between compression and sealing. Not ArrayPool.Shared, which keeps a buffer per size per thread
    // (megabytes each across the thread pool's threads); this keeps a few per size, for the concurrent savers.
    private readonly ArrayPool<byte> _compressedBuffers = ArrayPool<byte>.Create(16 * 1024 * 1024, 16);
    private long _packsUploaded;

    internal BlobIndex Index => _index;

    /// <summary>The packs this session's blobs live in (saved or deduplicated). Read it only while no save runs.</summary>
    public IReadOnlyCollection<ObjectId> ReferencedPacks => _referencedPacks;

    /// <summary>Packs this session uploaded so far.</summary>
    public long PacksUploaded => Interlocked.Read(ref _packsUploaded);

    /// <summary>
    /// Saves a blob unless the repository or this session already holds one with the same id; returns the id.
    /// Full packs are uploaded as they fill, locked until <see cref="RunRetainUntil"/>. Thread-safe.
    /// </summary>
    internal async Task<BlobId> SaveBlobAsync(BlobType type, ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken = default) =>
        (await StoreBlobAsync(type, plaintext, cancellationToken)).Id;

    /// <summary>
    /// <see cref="SaveBlobAsync"/>, also saying whether this call stored the blob (true exactly once per new id in a
    /// session, whatever the concurrency), so callers can count what a run added. Thread-safe; returns when the blob is
    /// in an open pack or uploaded, not necessarily uploaded.
    /// </summary>
    internal Task<(BlobId Id, bool Stored)> StoreBlobAsync(BlobType type, ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken = default) =>
        StoreAsync(type, plaintext, ReadOnlyMemory<byte>.Empty, cancellationToken);

    /// <summary>
    /// <see cref="StoreBlobAsync"/> with the plaintext already compressed: <paramref name="unit"/> is sealed as it is.
    /// The caller guarantees that it decompresses to exactly <paramref name="plaintext"/> and was made with this
    /// repository's compression setting (copy passes the unit a source with the same setting authenticated and
    /// decompressed to these bytes; see <see cref="Packing.OpenedBlob"/>). The id is computed from the plaintext.
    /// </summary>
    internal Task<(BlobId Id, bool Stored)> StoreCompressedBlobAsync(BlobType type, ReadOnlyMemory<byte> plaintext, ReadOnlyMemory<byte> unit, CancellationToken cancellationToken = default)
    {
        if (unit.IsEmpty)
        {
            throw new ArgumentException("A compression unit holds at least its flag byte.", nameof(unit));
        }

        return StoreAsync(type, plaintext, unit, cancellationToken);
    }

    // Stores one blob; an empty unit means compress here.
    private async Task<(BlobId Id, bool Stored)> StoreAsync(BlobType type, ReadOnlyMemory<byte> plaintext, ReadOnlyMemory<byte> unit, CancellationToken cancellationToken)
    {
        var id = _keys.ChunkIdKey.ComputeId(plaintext.Span);
        lock (_gate)
        {
            if (_index.TryGet(id, out var indexed) || _pendingBlobs.TryGet(id, out indexed))
            {
                _referencedPacks.Add(indexed.PackId);
                return (id, false);
            }

            // Claimed by another save: its pack is referenced when it is uploaded.
            if (!_inFlight.Add(id))
            {
                return (id, false);
            }
        }

        PackWriter? full = null;
        try
        {
            byte[]? compressed = null;
            if (unit.IsEmpty)
            {
                (compressed, var length) = Compress(plaintext.Span);
                unit = compressed.AsMemory(0, length);
            }

            try
            {
                lock (_gate)
                {
                    if (!_openPacks.TryGetValue(type, out var writer))
                    {
                        // Data and tree blobs go to separate packs, so loading trees does not download file content (§ 7).
                        writer = new PackWriter(_keys, NewObjectId(), Config.PackTargetSize, _random, type == BlobType.Tree ? TreePackInitialCapacity : null);
                        _openPacks[type] = writer;
                    }

                    writer.AddCompressed(type, id, unit.Span, plaintext.Length);
                    if (writer.IsFull)
                    {
                        _openPacks.Remove(type);
                        full = writer;
                    }
                }
            }
            finally
            {
                if (compressed is not null)
                {
                    _compressedBuffers.Return(compressed);
                }
            }
        }
        catch
        {
            lock (_gate)
            {
                _inFlight.Remove(id);
            }

            throw;
        }

        if (full is not null)
        {
            await UploadPackAsync(full, cancellationToken);
        }

        return (id, true);
    }

    /// <summary>
    /// Records that this session's snapshot uses blobs it did not save (a file unchanged since the parent snapshot), so
    /// their packs are locked with it (lock coverage extends <see cref="ReferencedPacks"/>). Returns false, and
    /// references nothing, when any blob is neither in the index nor being saved in this session: the caller must then
    /// read the file again. Thread-safe.
    /// </summary>
    internal bool ReferenceBlobs(IEnumerable<BlobId> ids)
    {
        var packs = new List<ObjectId>();
        lock (_gate)
        {
            foreach (var id in ids)
            {
                if (_index.TryGet(id, out var location) || _pendingBlobs.TryGet(id, out location))
                {
                    packs.Add(location.PackId);
                }
                else if (!_inFlight.Contains(id))
                {
                    return false;
                }
            }

            _referencedPacks.UnionWith(packs);
        }

        return true;
    }

    /// <summary>
    /// Uploads partly filled packs, then one index object listing every pack uploaded since the last flush. Call only
    /// when no save is running.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        List<PackWriter> open;
        lock (_gate)
        {
            open = [.. _openPacks.Values];
            _openPacks.Clear();
        }

        await Task.WhenAll(open.Select(writer => UploadPackAsync(writer, cancellationToken)));
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
        lock (_gate)
        {
            NoteRetention(indexId, name, retainUntil);
            _index.Add(indexId, _pendingPacks);
            _pendingPacks.Clear();
            _pendingBlobs.Clear();
        }
    }

    /// <summary>
    /// Loads a blob by id from its pack: authenticated, decompressed, id re-checked. Thread-safe, also while blobs are
    /// being saved; a blob still in an open pack cannot be loaded until it is flushed.
    /// </summary>
    internal async Task<byte[]> LoadBlobAsync(BlobId id, CancellationToken cancellationToken = default) =>
        (await LoadBlobUnitAsync(id, cancellationToken)).Raw;

    /// <summary><see cref="LoadBlobAsync"/>, also returning the blob's compression unit (for copy).</summary>
    internal async Task<Packing.OpenedBlob> LoadBlobUnitAsync(BlobId id, CancellationToken cancellationToken = default)
    {
        BlobLocation location;
        lock (_gate)
        {
            if (!_index.TryGet(id, out location) && !_pendingBlobs.TryGet(id, out location))
            {
                if (_inFlight.Contains(id))
                {
                    throw new InvalidOperationException($"Blob {id} is in a pack not uploaded yet; flush first.");
                }

                throw new KeyNotFoundException($"Blob {id} is in no index of this repository. Run 'ztdr verify' to find what is missing.");
            }
        }

        if (await TryLoadCachedAsync(location, cancellationToken) is { } cached)
        {
            return cached;
        }

        try
        {
            return await LoadBlobUnitAsync(location, cancellationToken);
        }
        catch (Exception e) when (PackPins.MayBeImpostor(e))
        {
            // An impostor over the pack, or a delete marker hiding it: read the authentic version below, if there is one.
            if (!await _packPins.TryRepinAsync(location.PackId, cancellationToken))
            {
                throw;
            }
        }

        return await LoadBlobUnitAsync(location, cancellationToken);
    }

    /// <summary>
    /// Looks past a pack's current version when reading it failed (<see cref="PackPins"/>): true when an authentic
    /// version is now what reads of the pack get, so the read is worth one retry.
    /// </summary>
    internal Task<bool> TryRepinPackAsync(ObjectId packId, CancellationToken cancellationToken) => _packPins.TryRepinAsync(packId, cancellationToken);

    /// <summary>The size of the authentic version a pack was pinned to by <see cref="TryRepinPackAsync"/>, if it was.</summary>
    internal long? PinnedPackSize(ObjectId packId) => _packPins.PinnedSize(packId);

    private async Task<Packing.OpenedBlob> LoadBlobUnitAsync(BlobLocation location, CancellationToken cancellationToken)
    {
        // Restore and verify load blobs from several workers; each borrows its own zstd context.
        var compressor = _compressors.Rent();
        try
        {
            return await PackReader.LoadBlobUnitAsync(_store, RepositoryObjectNames.Pack(location.PackId), location.PackId, location.Entry, _keys, compressor, cancellationToken);
        }
        finally
        {
            _compressors.Return(compressor);
        }
    }

    // Compresses with a pooled context (the pool serves saves and loads alike; one context per concurrent caller) into
    // a pooled buffer the caller returns: a blob is up to 8 MiB, and fresh arrays that size churn the large object heap.
    private (byte[] Buffer, int Length) Compress(ReadOnlySpan<byte> raw)
    {
        var compressor = _compressors.Rent();
        var buffer = _compressedBuffers.Rent(BlobCompressor.MaxCompressedLength(raw.Length));
        try
        {
            return (buffer, compressor.Compress(raw, buffer));
        }
        catch
        {
            _compressedBuffers.Return(buffer);
            throw;
        }
        finally
        {
            _compressors.Return(compressor);
        }
    }

    private async Task UploadPackAsync(PackWriter writer, CancellationToken cancellationToken)
    {
        using (writer)
        {
            await _uploadSlots.WaitAsync(cancellationToken);
            try
            {
                ReadOnlyMemory<byte> bytes;
                var compressor = _compressors.Rent();
                try
                {
                    // The writer's own buffer, no copy: the using above keeps it until the store has the bytes.
                    bytes = writer.FinishInPlace(compressor);
                }
                finally
                {
                    _compressors.Return(compressor);
                }

                var retainUntil = RunRetainUntil;
                var name = RepositoryObjectNames.Pack(writer.Id);

                // A retry of this call re-sends the same bytes under the same name (§ 1), which the store accepts.
                await _store.PutNewAsync(name, bytes, retainUntil, cancellationToken);
                CacheUploaded(writer.Id, writer.Entries, bytes);
                var pack = new IndexedPack(writer.Id, retainUntil, [.. writer.Entries]);
                lock (_gate)
                {
                    _pendingPacks.Add(pack);
                    foreach (var entry in pack.Entries)
                    {
                        _pendingBlobs.Set(pack.PackId, entry);
                        _inFlight.Remove(entry.Id);
                    }

                    _referencedPacks.Add(writer.Id);
                    NoteRetention(writer.Id, name, retainUntil);
                }

                Interlocked.Increment(ref _packsUploaded);
            }
            finally
            {
                _uploadSlots.Release();
            }
        }
    }

    private ObjectId NewObjectId()
    {
        Span<byte> bytes = stackalloc byte[ObjectId.Length];
        _random(bytes);
        return new ObjectId(bytes);
    }
}
