using Ztdr.Backup.Crypto;
using Ztdr.Backup.Index;
using Ztdr.Backup.Packing;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Restoring;

/// <summary>
/// Loads a restore's blobs with few requests. A blob not fetched yet is read in one ranged request together with the
/// blobs stored right after it in its pack, as long as the restore still needs them, up to <see cref="WindowBytes"/>;
/// those neighbours wait, sealed, in a cache of at most <see cref="CacheBytes"/> for the file that needs them. Restore
/// goes through files in tree order and backup packed them in nearly the same order, so a neighbour is usually wanted
/// moments later: a pack of small files costs a few requests instead of one per blob (the request, not the bytes, is
/// what costs on S3 — TLS, signing, a metadata lookup on the server). Every blob is still authenticated and its id
/// re-checked when it is opened, exactly as <see cref="Repository.Repository.LoadBlobAsync"/> does.
/// </summary>
/// <remarks>Thread-safe: restore workers call <see cref="LoadAsync"/> concurrently.</remarks>
internal sealed class PackReadAhead
{
    /// <summary>Most bytes one request reads: about one pack's worth of small files.</summary>
    public const long WindowBytes = 8L * 1024 * 1024;

    /// <summary>Most sealed bytes waiting for their files; past it a request reads only what is asked.</summary>
    public const long CacheBytes = 64L * 1024 * 1024;

    private readonly Repository.Repository _repository;
    private readonly Lock _lock = new();
    private readonly Dictionary<BlobId, int> _uses = [];
    private readonly Dictionary<BlobId, (BlobLocation Location, byte[] Sealed)> _cached = [];
    private readonly Dictionary<BlobId, Task> _fetching = [];
    private readonly Dictionary<ObjectId, IReadOnlyList<PackEntry>> _packs = [];
    private long _cachedBytes;

    /// <param name="repository">Where the blobs are.</param>
    /// <param name="planned">Every blob the restore will load, once per use (a blob in two files twice).</param>
    public PackReadAhead(Repository.Repository repository, IEnumerable<BlobId> planned)
    {
        _repository = repository;
        foreach (var id in planned)
        {
            _uses[id] = _uses.GetValueOrDefault(id) + 1;
        }
    }

    /// <summary>Requests made so far (for measurement and tests).</summary>
    public int Requests { get; private set; }

    /// <summary>Loads one use of blob <paramref name="id"/>: authenticated, decompressed, id re-checked.</summary>
    public async Task<byte[]> LoadAsync(BlobId id, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task? wait = null;
            (BlobLocation Location, byte[] Sealed) cached = default;
            var hit = false;
            Window? window = null;
            lock (_lock)
            {
                if (_cached.TryGetValue(id, out cached))
                {
                    hit = true;
                    if (Consume(id) == 0)
                    {
                        _cached.Remove(id);
                        _cachedBytes -= cached.Sealed.Length;
                    }
                }
                else if (!_fetching.TryGetValue(id, out wait))
                {
                    window = PlanWindow(id);
                }
            }

            if (hit)
            {
                return await OpenOrReloadAsync(id, cached.Location, cached.Sealed, cancellationToken);
            }

            if (wait is not null)
            {
                // A neighbour's request is bringing this blob: wait for it, then take it from the cache (or, if that
                // request failed or another use took the last copy, make a request of our own).
                await wait.WaitAsync(cancellationToken);
                continue;
            }

            if (window is null)
            {
                // Not in any index: the repository's own load gives the precise error.
                return await _repository.LoadBlobAsync(id, cancellationToken);
            }

            return await FetchAsync(id, window, cancellationToken);
        }
    }

    private async Task<byte[]> FetchAsync(BlobId id, Window window, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await _repository.ReadPackRangeAsync(window.Pack, new ByteRange(window.Start, window.End - window.Start), cancellationToken);
        }
        catch (Exception e)
        {
            lock (_lock)
            {
                Release(window, cacheNeighbours: null);
            }

            if (Repository.PackPins.MayBeImpostor(e))
            {
                // A hidden or replaced pack: the repository's own load looks past it, or gives the precise error.
                return await _repository.LoadBlobAsync(id, cancellationToken);
            }

            throw;
        }

        lock (_lock)
        {
            Release(window, bytes);
        }

        var target = window.Entries[0];
        return await OpenOrReloadAsync(id, new BlobLocation(window.Pack, target), bytes.AsMemory((int)(target.Offset - window.Start), (int)target.SealedLength), cancellationToken);
    }

    // Bytes read ahead come from whatever version of the pack storage served; one that fails to open may be an
    // impostor's, and the repository's own load then looks past it (or throws the precise error).
    private async Task<byte[]> OpenOrReloadAsync(BlobId id, BlobLocation location, ReadOnlyMemory<byte> sealedUnit, CancellationToken cancellationToken)
    {
        try
        {
            return _repository.OpenBlob(location, sealedUnit.Span);
        }
        catch (Exception e) when (Repository.PackPins.MayBeImpostor(e))
        {
            return await _repository.LoadBlobAsync(id, cancellationToken);
        }
    }

    // Under _lock. The requested blob first, then each following stored blob while it is wanted, not already on its
    // way, and fits the window and the cache.
    private Window? PlanWindow(BlobId id)
    {
        if (!_repository.TryLocate(id, out var location))
        {
            return null;
        }

        Consume(id);
        if (!_packs.TryGetValue(location.PackId, out var entries))
        {
            entries = _repository.EntriesByOffset(location.PackId);
            _packs[location.PackId] = entries;
        }

        var start = (long)location.Entry.Offset;
        var end = location.Entry.End;
        var members = new List<PackEntry> { location.Entry };
        var reserved = 0L;
        var next = IndexOf(entries, location.Entry.Offset) + 1;
        while (next > 0 && next < entries.Count)
        {
            var candidate = entries[next];
            if (candidate.Offset != end
                || candidate.End - start > WindowBytes
                || _cachedBytes + reserved + candidate.SealedLength > CacheBytes
                || _uses.GetValueOrDefault(candidate.Id) == 0
                || _cached.ContainsKey(candidate.Id)
                || _fetching.ContainsKey(candidate.Id)
                || members.Exists(m => m.Id == candidate.Id))
            {
                break;
            }

            members.Add(candidate);
            reserved += candidate.SealedLength;
            end = candidate.End;
            next++;
        }

        var window = new Window(location.PackId, start, end, members, reserved);
        foreach (var member in members.Skip(1))
        {
            _fetching[member.Id] = window.Done.Task;
        }

        _cachedBytes += reserved;
        Requests++;
        return window;
    }

    // Under _lock: the neighbours go to the cache (or, on failure, their reservation is given back) and their waiters wake.
    private void Release(Window window, byte[]? cacheNeighbours)
    {
        foreach (var member in window.Entries.Skip(1))
        {
            _fetching.Remove(member.Id);
            if (cacheNeighbours is not null)
            {
                var offset = (int)(member.Offset - window.Start);
                _cached[member.Id] = (new BlobLocation(window.Pack, member), cacheNeighbours.AsSpan(offset, (int)member.SealedLength).ToArray());
            }
        }

        if (cacheNeighbours is null)
        {
            _cachedBytes -= window.Reserved;
        }

        window.Done.TrySetResult();
    }

    private int Consume(BlobId id)
    {
        var left = Math.Max(_uses.GetValueOrDefault(id) - 1, 0);
        if (left == 0)
        {
            _uses.Remove(id);
        }
        else
        {
            _uses[id] = left;
        }

        return left;
    }

    private static int IndexOf(IReadOnlyList<PackEntry> entries, uint offset)
    {
        int low = 0, high = entries.Count - 1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            if (entries[middle].Offset == offset)
            {
                return middle;
            }

            if (entries[middle].Offset < offset)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return -1;
    }

    private sealed record Window(ObjectId Pack, long Start, long End, List<PackEntry> Entries, long Reserved)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
