using Ztdr.Backup.Crypto;
using Ztdr.Backup.Index;
using Ztdr.Backup.Repository;
using Ztdr.Backup.Snapshots;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Pruning;

/// <summary>
/// Deletes what no unforgotten snapshot needs and no lock protects any more (repository-format.md § 14). Reads and
/// writes through <c>store</c> (the key that opened <c>repository</c>); deletes through <c>deleteStore</c>, the
/// maintenance key, which may delete only versions whose lock has ended. Never deletes config, keys or retention
/// records.
/// </summary>
/// <remarks>
/// <para>Order, so that a crash or a refusal at any point leaves a repository every reader understands: forgotten
/// snapshots, packs no index lists, index objects already superseded; then a new index object listing every pack
/// that stays and superseding every index object loaded, written <b>before</b> any listed pack is deleted; then the
/// unused packs; the index objects just replaced; and last the forgotten markers whose snapshots are all gone (a
/// marker deleted first would bring its snapshot back).</para>
/// <para>A delete storage refuses (access denied) because a concurrent backup extended the lock in between is
/// normal: the object stays, and a pack that stays is listed again in a small index object so its blobs remain
/// findable. A delete refused although storage still reports the lock as ended means these credentials may not
/// delete (or storage's clock is behind ours): prune stops with that error.</para>
/// </remarks>
internal sealed partial class Pruner(IObjectStore store, IObjectStore deleteStore, Repository.Repository repository, TimeProvider time)
{
    /// <summary>At most this many pack entries per index object written: about 24 MiB of body, far below the cap.</summary>
    internal const int MaxEntriesPerIndexObject = 500_000;

    private readonly SnapshotCatalog _catalog = new(store, repository);

    /// <summary>
    /// Finds what can go: walks every unforgotten snapshot's trees (each distinct tree once) for the blobs they reach,
    /// lists the store, and asks storage for the retention of every object that is no longer needed. Writes nothing.
    /// A kept snapshot whose trees or blobs cannot be found stops the plan: nothing may be deleted while a kept
    /// snapshot is incomplete.
    /// </summary>
    public Task<PrunePlan> PlanAsync(CancellationToken cancellationToken) => PlanAsync(repack: true, cancellationToken);

    /// <summary>As <see cref="PlanAsync(CancellationToken)"/>; with <paramref name="repack"/> false, partly used packs are kept whole.</summary>
    public async Task<PrunePlan> PlanAsync(bool repack, CancellationToken cancellationToken)
    {
        var markers = await _catalog.ListMarkersAsync(cancellationToken);
        var forgotten = markers.SelectMany(m => m.Marker.Snapshots).ToHashSet();
        var listed = await ListAsync(repository, cancellationToken);
        var snapshotIds = Parsed(listed, SnapshotCatalog.Prefix);

        var index = repository.Index;
        var indexInStore = Parsed(listed, RepositoryObjectNames.IndexPrefix);
        var reachable = new HashSet<BlobId>();
        var seenTrees = new HashSet<BlobId>();
        var kept = 0;
        try
        {
            // Every authentic snapshot, hidden ones included; a name with no authentic version is an impostor (logged),
            // never a snapshot whose data could be spared or doomed by it.
            await foreach (var (id, snapshot) in _catalog.ReadAllAsync(cancellationToken))
            {
                if (!forgotten.Contains(id))
                {
                    kept++;
                    await AddReachableAsync(id, snapshot.Tree, seenTrees, reachable, cancellationToken);
                }
            }
        }
        catch (RepositoryFormatException e) when (indexInStore.Keys.Any(id => !index.IndexObjectIds.Contains(id) && !index.SupersededIds.Contains(id)))
        {
            // A backup finished between loading the index and listing: its snapshot's blobs are in an index object
            // this prune has not read. Not damage, but nothing may be decided on a partial view either.
            throw new RepositoryFormatException("the repository changed while prune was starting (a backup wrote a new index); nothing was deleted; run prune again", e);
        }

        reachable.UnionWith(seenTrees);
        var packsInStore = Parsed(listed, RepositoryObjectNames.DataPrefix);
        var candidates = new List<PruneCandidate>();

        foreach (var (id, size) in snapshotIds.Where(s => forgotten.Contains(s.Key)))
        {
            candidates.Add(new(PruneObjectKind.Snapshot, PruneReason.ForgottenSnapshot, id, SnapshotCatalog.Name(id), size, null));
        }

        foreach (var (id, size) in packsInStore.Where(p => !index.Packs.ContainsKey(p.Key)))
        {
            candidates.Add(new(PruneObjectKind.Pack, PruneReason.OrphanPack, id, RepositoryObjectNames.Pack(id), size, null));
        }

        foreach (var id in index.SupersededIds.Where(indexInStore.ContainsKey))
        {
            candidates.Add(new(PruneObjectKind.Index, PruneReason.SupersededIndex, id, RepositoryObjectNames.Index(id), indexInStore[id], null));
        }

        int packsInUse = 0, partlyUsed = 0;
        long unusedInPartly = 0;
        var missing = new List<ObjectId>();
        var unused = new Dictionary<ObjectId, IndexedPack>();
        foreach (var pack in index.Packs.Values)
        {
            var used = pack.Entries.Count(e => reachable.Contains(e.Id));
            if (!packsInStore.TryGetValue(pack.PackId, out var size))
            {
                if (used > 0)
                {
                    throw new RepositoryFormatException($"pack {pack.PackId} holds {used} blobs of kept snapshots but storage does not have it; prune deletes nothing while a kept snapshot is incomplete");
                }

                missing.Add(pack.PackId);
            }
            else if (used == 0)
            {
                unused[pack.PackId] = pack;
                candidates.Add(new(PruneObjectKind.Pack, PruneReason.UnusedPack, pack.PackId, RepositoryObjectNames.Pack(pack.PackId), size, null));
            }
            else
            {
                packsInUse++;
                if (used < pack.Entries.Count)
                {
                    partlyUsed++;
                    unusedInPartly += pack.Entries.Where(e => !reachable.Contains(e.Id)).Sum(e => (long)e.SealedLength);
                    if (repack)
                    {
                        unused[pack.PackId] = pack;
                        candidates.Add(new(PruneObjectKind.Pack, PruneReason.RepackedPack, pack.PackId, RepositoryObjectNames.Pack(pack.PackId), size, null));
                    }
                }
            }
        }

        // Storage is the judge of every lock: the dates this client recorded are only lower bounds.
        var now = time.GetUtcNow();
        var checkedCandidates = new List<PruneCandidate>();
        foreach (var candidate in candidates)
        {
            if (await RetentionAsync(candidate.Name, cancellationToken) is { } retention)
            {
                checkedCandidates.Add(candidate with { Retention = retention.Value });
            }
        }

        // A partly used pack still locked is simply kept: it is neither deletable nor waiting to be.
        checkedCandidates.RemoveAll(c => c.Reason == PruneReason.RepackedPack && !c.IsExpiredAt(now));
        var dropped = checkedCandidates
            .Where(c => c.Reason is PruneReason.UnusedPack or PruneReason.RepackedPack && c.IsExpiredAt(now))
            .ToDictionary(c => c.Id, c => unused[c.Id]);
        var rewrites = dropped.Count > 0 || missing.Count > 0;
        var supersedes = index.IndexObjectIds.Concat(index.SupersededIds.Where(indexInStore.ContainsKey)).Distinct().ToList();
        if (rewrites)
        {
            foreach (var id in index.IndexObjectIds.Where(indexInStore.ContainsKey))
            {
                var name = RepositoryObjectNames.Index(id);
                if (await RetentionAsync(name, cancellationToken) is { } retention)
                {
                    checkedCandidates.Add(new(PruneObjectKind.Index, PruneReason.ReplacedIndex, id, name, indexInStore[id], retention.Value));
                }
            }
        }

        // A marker is applied once each snapshot it names is gone already or deleted by this prune.
        var snapshotsGoing = checkedCandidates.Where(c => c.Kind == PruneObjectKind.Snapshot && c.IsExpiredAt(now)).Select(c => c.Id).ToHashSet();
        var markersInStore = Parsed(listed, ForgottenMarker.Prefix);
        foreach (var (id, marker) in markers)
        {
            if (markersInStore.TryGetValue(id, out var size) && marker.Snapshots.All(s => !snapshotIds.ContainsKey(s) || snapshotsGoing.Contains(s)))
            {
                if (await RetentionAsync(ForgottenMarker.Name(id), cancellationToken) is { } retention)
                {
                    checkedCandidates.Add(new(PruneObjectKind.Marker, PruneReason.AppliedMarker, id, ForgottenMarker.Name(id), size, retention.Value));
                }
            }
        }

        var ordered = checkedCandidates.OrderBy(c => c.Reason).ThenBy(c => c.Name, StringComparer.Ordinal).ToList();
        return new PrunePlan
        {
            Time = now,
            KeptSnapshots = kept,
            ForgottenSnapshots = snapshotIds.Count - kept,
            ReachableBlobs = reachable.Count,
            PacksInUse = packsInUse,
            PartlyUsedPacks = partlyUsed,
            UnusedBytesInPartlyUsedPacks = unusedInPartly,
            MissingPacks = missing,
            Deletable = [.. ordered.Where(c => c.IsExpiredAt(now))],
            Locked = [.. ordered.Where(c => !c.IsExpiredAt(now))],
            SurvivingPacks = [.. index.Packs.Values.Where(p => packsInStore.ContainsKey(p.PackId) && !dropped.ContainsKey(p.PackId))],
            Supersedes = supersedes,
            DroppedPacks = dropped,
            RepackPacks = [.. checkedCandidates.Where(c => c.Reason == PruneReason.RepackedPack).Select(c => unused[c.Id])],
            Reachable = reachable,
            Markers = markers.ToDictionary(m => m.Id, m => m.Marker.Snapshots),
        };
    }

    private async Task AddReachableAsync(ObjectId snapshotId, BlobId root, HashSet<BlobId> seenTrees, HashSet<BlobId> reachable, CancellationToken cancellationToken)
    {
        await foreach (var entry in TreeWalker.WalkAsync(repository, root, seenTrees, cancellationToken))
        {
            if (entry.Error is { } error)
            {
                throw new RepositoryFormatException(
                    $"snapshot {snapshotId}: the tree of '{(entry.Path.Length == 0 ? "/" : entry.Path)}' cannot be read ({error.Message}); prune deletes nothing while a kept snapshot is damaged",
                    error);
            }

            if (entry.Node is { Content: { } content })
            {
                foreach (var blob in content)
                {
                    if (reachable.Add(blob) && !repository.Index.Has(blob))
                    {
                        throw new RepositoryFormatException($"snapshot {snapshotId}: blob {blob} of '{entry.Path}' is in no index; prune deletes nothing while a kept snapshot is incomplete");
                    }
                }
            }
        }
    }

    /// <summary>The retention storage reports, or null when the object is gone.</summary>
    private async Task<RetentionReading?> RetentionAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return new RetentionReading(await store.GetRetentionAsync(name, cancellationToken));
        }
        catch (ObjectStoreException e) when (e.Kind == StoreErrorKind.NotFound)
        {
            return null;
        }
    }

    // With every version: an object a delete marker hides is still there, and prune must neither lose what it holds
    // (a hidden snapshot's data) nor believe it gone.
    private static async Task<List<ObjectInfo>> ListAsync(Repository.Repository repository, CancellationToken cancellationToken)
    {
        var all = new List<ObjectInfo>();
        foreach (var prefix in new[] { SnapshotCatalog.Prefix, RepositoryObjectNames.DataPrefix, RepositoryObjectNames.IndexPrefix, ForgottenMarker.Prefix })
        {
            await foreach (var item in repository.Reader.ListAsync(prefix, cancellationToken))
            {
                all.Add(new ObjectInfo(item.Name, item.Size));
            }
        }

        return all;
    }

    /// <summary>Ids and sizes of the listed objects under <paramref name="prefix"/>; names this version does not know are ignored.</summary>
    private static Dictionary<ObjectId, long> Parsed(List<ObjectInfo> listed, string prefix)
    {
        var found = new Dictionary<ObjectId, long>();
        foreach (var item in listed)
        {
            if (RepositoryObjectNames.TryParseId(item.Name, prefix, out var id))
            {
                found[id] = item.Size;
            }
        }

        return found;
    }

    /// <summary>A retention read from storage: <see cref="Value"/> null means the object exists without a lock.</summary>
    private sealed record RetentionReading(ObjectRetention? Value);
}
