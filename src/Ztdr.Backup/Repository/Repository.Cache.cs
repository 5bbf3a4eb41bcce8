using System.Collections.Concurrent;
using Ztdr.Backup.Caching;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Index;
using Ztdr.Backup.Packing;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Repository;

/// <content>
/// Tree blobs through the local <see cref="PackCache"/>: the first tree read from a pack fetches the whole pack in one
/// request and keeps it; every later tree of that pack, in this process or the next, is read from disk. Packs this
/// process uploads with trees are kept as they are uploaded, so the next backup finds its parent's trees locally.
/// A cached blob is opened exactly as one from storage (authenticated, id re-checked); one that fails is evicted and
/// read from storage, where impostors are looked past as usual (<see cref="PackPins"/>).
/// </content>
public sealed partial class Repository
{
    private readonly ConcurrentDictionary<ObjectId, Lazy<Task>> _cacheFills = new();
    private PackCache? _cache;

    /// <summary>Why the local cache is not used, once it failed; null while it works or when there is none.</summary>
    public string? CacheProblem => _cache?.Problem;

    /// <summary>Packs fetched whole into the cache by this process (for measurement and tests).</summary>
    internal int PacksCached => _cacheFills.Count;

    // Called once on open, after the index is loaded: cached packs the index no longer lists (pruned) are removed.
    private void UseCache(string root)
    {
        var cache = PackCache.Open(root, Id);
        cache.Retain(_index.Packs.Keys.ToHashSet());
        _cache = cache;
    }

    /// <summary>
    /// From now on reads trees through a cache in <paramref name="root"/> (a new, empty folder), which this process
    /// fills from storage only: copy's check of its target then costs a request per tree pack rather than one per
    /// tree, as <c>verify</c>'s own cache does, and still reads what storage holds. For a repository opened without
    /// a cache, after its last upload.
    /// </summary>
    internal void UseCacheFilledFromStorage(string root)
    {
        if (_cache is not null)
        {
            throw new InvalidOperationException("This repository already reads through a cache.");
        }

        _cache = PackCache.Open(root, Id);
    }

    // A tree blob from the cache, filling it from storage first; null when it must be read from storage instead.
    private async Task<OpenedBlob?> TryLoadCachedAsync(BlobLocation location, CancellationToken cancellationToken)
    {
        if (_cache is not { } cache || location.Entry.Type != BlobType.Tree)
        {
            return null;
        }

        var sealedUnit = cache.TryRead(location.PackId, location.Entry.Offset, (int)location.Entry.SealedLength);
        if (sealedUnit is null)
        {
            await _cacheFills.GetOrAdd(location.PackId, id => new Lazy<Task>(() => FillAsync(cache, id, cancellationToken))).Value;
            sealedUnit = cache.TryRead(location.PackId, location.Entry.Offset, (int)location.Entry.SealedLength);
            if (sealedUnit is null)
            {
                return null;
            }
        }

        var compressor = _compressors.Rent();
        try
        {
            return PackReader.OpenBlobUnit(_keys, compressor, location.PackId, location.Entry, sealedUnit);
        }
        catch (Exception e) when (e is CryptographicIntegrityException or RepositoryFormatException)
        {
            // A damaged cache file, or an impostor storage served when it was filled: storage decides, pins and reports.
            cache.Evict(location.PackId);
            return null;
        }
        finally
        {
            _compressors.Return(compressor);
        }
    }

    // The pack from its start to the end of its last indexed blob, in one request. A failure leaves it uncached: the
    // blob is then read from storage by its range, which reports the failure as it always has.
    private async Task FillAsync(PackCache cache, ObjectId packId, CancellationToken cancellationToken)
    {
        long end;
        lock (_gate)
        {
            if (!_index.Packs.TryGetValue(packId, out var pack) || pack.Entries.Count == 0)
            {
                return;
            }

            end = pack.Entries.Max(e => (long)e.Offset + e.SealedLength);
        }

        byte[] bytes;
        try
        {
            bytes = await PackReader.ReadRangeAsync(_store, RepositoryObjectNames.Pack(packId), new ByteRange(0, end), cancellationToken);
        }
        catch (Exception e) when (PackPins.MayBeImpostor(e) || e is ObjectStoreException)
        {
            return;
        }

        if (bytes.Length == end)
        {
            cache.Store(packId, bytes);
        }
    }

    // A tree pack this process uploaded: kept as uploaded, so the next run reads these trees locally.
    private void CacheUploaded(ObjectId packId, IReadOnlyList<PackEntry> entries, ReadOnlyMemory<byte> bytes)
    {
        if (_cache is { } cache && entries.Count > 0 && entries[0].Type == BlobType.Tree)
        {
            cache.Store(packId, bytes);
        }
    }
}
