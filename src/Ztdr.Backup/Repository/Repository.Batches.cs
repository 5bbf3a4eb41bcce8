using Ztdr.Backup.Crypto;
using Ztdr.Backup.Packing;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Repository;

/// <content>
/// Loading many blobs with few requests (copy): the blobs are grouped by pack, and neighbours less than
/// <see cref="BatchGap"/> apart are read in one ranged request of at most <see cref="BatchWindow"/> bytes. Each blob is
/// opened exactly as <see cref="LoadBlobUnitAsync(BlobId, CancellationToken)"/> opens it. A window that cannot be read
/// or opened is loaded again blob by blob through that method, so impostors, hidden packs and damage are handled and
/// reported exactly as for single loads. Restore by pack (<see cref="Restoring.PackRestorer"/>) groups its windows with
/// the same two limits.
/// </content>
public sealed partial class Repository
{
    /// <summary>Largest gap between two blobs read in one request: reading it costs less than another request.</summary>
    internal const long BatchGap = 1024 * 1024;

    /// <summary>Most bytes one request reads (a single larger blob is read alone).</summary>
    internal const long BatchWindow = 8L * 1024 * 1024;

    /// <summary>
    /// Loads every blob of <paramref name="ids"/> and hands each to <paramref name="use"/>, windows read up to
    /// <paramref name="parallelism"/> at once. Memory: the ids and their locations, and at most <paramref name="parallelism"/>
    /// windows (each at most <see cref="BatchWindow"/> bytes) with one open blob each.
    /// </summary>
    internal async Task ForEachBlobUnitAsync(
        IReadOnlyCollection<BlobId> ids, int parallelism, Func<BlobId, OpenedBlob, CancellationToken, Task> use, CancellationToken cancellationToken)
    {
        var alone = new List<BlobId>();
        var byPack = new Dictionary<ObjectId, List<PackEntry>>();
        foreach (var id in ids.Distinct())
        {
            if (TryLocate(id, out var location))
            {
                if (!byPack.TryGetValue(location.PackId, out var entries))
                {
                    entries = [];
                    byPack[location.PackId] = entries;
                }

                entries.Add(location.Entry);
            }
            else
            {
                alone.Add(id);
            }
        }

        var windows = new List<(ObjectId Pack, List<PackEntry> Entries)>();
        foreach (var (pack, entries) in byPack)
        {
            entries.Sort((a, b) => a.Offset.CompareTo(b.Offset));
            var window = new List<PackEntry> { entries[0] };
            for (var i = 1; i < entries.Count; i++)
            {
                var start = window[0].Offset;
                if (entries[i].Offset - window[^1].End <= BatchGap && entries[i].End - start <= BatchWindow)
                {
                    window.Add(entries[i]);
                }
                else
                {
                    windows.Add((pack, window));
                    window = [entries[i]];
                }
            }

            windows.Add((pack, window));
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(windows, parallel, async (window, token) => await LoadWindowAsync(window.Pack, window.Entries, use, token));

        // Not in the index (or unindexed until a recovery): the single load says so, as it always has.
        await Parallel.ForEachAsync(alone, parallel, async (id, token) => await use(id, await LoadBlobUnitAsync(id, token), token));
    }

    // Each blob is handed on as soon as it is opened, so a window in flight holds its bytes and one open blob, not every
    // blob of it decompressed (a window of text can open to many times its 8 MiB). A blob that opened is authentic and
    // has its id; from the first that does not, the rest of the window is loaded blob by blob.
    private async Task LoadWindowAsync(ObjectId pack, List<PackEntry> entries, Func<BlobId, OpenedBlob, CancellationToken, Task> use, CancellationToken cancellationToken)
    {
        var start = entries[0].Offset;
        byte[] bytes;
        try
        {
            bytes = await ReadPackRangeAsync(pack, new ByteRange(start, entries[^1].End - start), cancellationToken);
        }
        catch (Exception e) when (PackPins.MayBeImpostor(e))
        {
            await LoadEachAsync(entries, use, cancellationToken);
            return;
        }

        for (var i = 0; i < entries.Count; i++)
        {
            OpenedBlob opened;
            var compressor = _compressors.Rent();
            try
            {
                opened = PackReader.OpenBlobUnit(_keys, compressor, pack, entries[i], bytes.AsSpan((int)(entries[i].Offset - start), (int)entries[i].SealedLength));
            }
            catch (Exception e) when (PackPins.MayBeImpostor(e))
            {
                await LoadEachAsync(entries[i..], use, cancellationToken);
                return;
            }
            finally
            {
                _compressors.Return(compressor);
            }

            await use(entries[i].Id, opened, cancellationToken);
        }
    }

    // An impostor over the pack, a marker hiding it, or damage: the single load looks past what can be looked past
    // and reports the rest, blob by blob.
    private async Task LoadEachAsync(List<PackEntry> entries, Func<BlobId, OpenedBlob, CancellationToken, Task> use, CancellationToken cancellationToken)
    {
        foreach (var entry in entries)
        {
            await use(entry.Id, await LoadBlobUnitAsync(entry.Id, cancellationToken), cancellationToken);
        }
    }
}
