using System.Globalization;
using Ztdr.Backup.Compression;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Index;
using Ztdr.Backup.Repository;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Pruning;

/// <content>Carrying out a plan: the replacement index first, then the deletes in the plan's order.</content>
internal sealed partial class Pruner
{
    /// <summary>
    /// Carries out <paramref name="plan"/> (made by <see cref="PlanAsync(CancellationToken)"/> on this repository just before): writes the
    /// replacement index first when packs leave it, then deletes in the plan's order. Objects whose delete storage
    /// refuses because they are locked again are reported as still locked.
    /// </summary>
    public async Task<PruneResult> ExecuteAsync(PrunePlan plan, CancellationToken cancellationToken)
    {
        var deleted = new Dictionary<PruneObjectKind, (int Count, long Bytes)>();
        var stillLocked = new List<PruneCandidate>(plan.Locked);
        var newIndexObjects = new List<ObjectId>();
        var gone = new HashSet<ObjectId>();
        var snapshotsPresent = plan.Deletable.Concat(plan.Locked).Where(c => c.Kind == PruneObjectKind.Snapshot).Select(c => c.Id).ToHashSet();
        var relockedPacks = new List<IndexedPack>();
        var indexWritten = false;
        IReadOnlyList<IndexedPack> newPacks = [];
        try
        {
            foreach (var candidate in plan.Deletable)
            {
                if (candidate.Reason >= PruneReason.UnusedPack && plan.RewritesIndex && !indexWritten)
                {
                    // Copies first, then the index that lists them instead of the old packs, then the deletes.
                    newPacks = await new Repacker(store, repository).RepackAsync(plan.RepackPacks, plan.Reachable, cancellationToken);
                    newIndexObjects.AddRange(await WriteIndexAsync([.. plan.SurvivingPacks, .. newPacks], plan.Supersedes, cancellationToken));
                    indexWritten = true;
                }

                // A snapshot the marker names was not deleted after all: the marker stays, or the snapshot comes back.
                if (candidate.Reason == PruneReason.AppliedMarker && !plan.Markers[candidate.Id].All(s => gone.Contains(s) || !snapshotsPresent.Contains(s)))
                {
                    continue;
                }

                var relocked = await DeleteAsync(candidate, cancellationToken);
                if (relocked is null)
                {
                    gone.Add(candidate.Id);
                    var (count, bytes) = deleted.GetValueOrDefault(candidate.Kind);
                    deleted[candidate.Kind] = (count + 1, bytes + candidate.Size);
                }
                else
                {
                    stillLocked.Add(relocked);
                    if (plan.DroppedPacks.TryGetValue(candidate.Id, out var pack))
                    {
                        relockedPacks.Add(pack);
                    }
                }
            }

            if (plan.RewritesIndex && !indexWritten)
            {
                newIndexObjects.AddRange(await WriteIndexAsync(plan.SurvivingPacks, plan.Supersedes, cancellationToken));
            }
        }
        finally
        {
            // A pack a concurrent backup locked again may hold blobs its snapshot needs: list it again, even when a
            // later refusal ends the prune.
            if (relockedPacks.Count > 0)
            {
                newIndexObjects.AddRange(await WriteIndexAsync(relockedPacks, [], cancellationToken));
            }
        }

        return new PruneResult(deleted, stillLocked, newIndexObjects, newPacks);
    }

    /// <summary>Deletes one object; returns null when gone, or the candidate with its new retention when a lock came back.</summary>
    private async Task<PruneCandidate?> DeleteAsync(PruneCandidate candidate, CancellationToken cancellationToken)
    {
        try
        {
            await deleteStore.DeleteAsync(candidate.Name, cancellationToken);
            return null;
        }
        catch (ObjectStoreException e) when (e.Kind == StoreErrorKind.AccessDenied)
        {
            var retention = await RetentionAsync(candidate.Name, cancellationToken);
            if (retention is null)
            {
                return null;
            }

            if (retention.Value is { } lockNow && lockNow.IsActiveAt(time.GetUtcNow()))
            {
                return candidate with { Retention = lockNow };
            }

            var ended = candidate.Retention is { } r ? " although its lock ended " + r.RetainUntil.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : " although it has no lock";
            throw new ObjectStoreException(
                StoreErrorKind.AccessDenied,
                $"storage refused to delete '{candidate.Name}'{ended}: these credentials may not delete (prune deletes with the maintenance key), or storage's clock is behind this computer's",
                e);
        }
    }

    /// <summary>Writes index objects listing <paramref name="packs"/>; only the last one carries <paramref name="supersedes"/>.</summary>
    /// <remarks>
    /// Superseding last means a crash part-way leaves old and new index objects side by side (duplicate entries, which
    /// readers accept), never a state where the old ones are superseded but some packs are listed nowhere.
    /// </remarks>
    private async Task<IReadOnlyList<ObjectId>> WriteIndexAsync(IReadOnlyList<IndexedPack> packs, IReadOnlyList<ObjectId> supersedes, CancellationToken cancellationToken)
    {
        var batches = new List<List<IndexedPack>> { new() };
        var entries = 0;
        foreach (var pack in packs)
        {
            if (entries + pack.Entries.Count > MaxEntriesPerIndexObject && batches[^1].Count > 0)
            {
                batches.Add([]);
                entries = 0;
            }

            batches[^1].Add(pack);
            entries += pack.Entries.Count;
        }

        var written = new List<ObjectId>();
        using var compressor = new BlobCompressor(repository.Config.CompressionLevel);
        for (var i = 0; i < batches.Count; i++)
        {
            var id = ObjectId.NewRandom();
            var body = IndexWriter.Write(new IndexObject(i == batches.Count - 1 ? supersedes : [], batches[i]));
            var sealedIndex = SealedObject.Seal(repository.Keys, compressor, ObjectType.Index, id, body);

            // Locked until gen(now + retention): at least as long as any existing snapshot, whose packs it lists.
            await store.PutNewAsync(RepositoryObjectNames.Index(id), sealedIndex, repository.RunRetainUntil, cancellationToken);
            written.Add(id);
        }

        return written;
    }
}
