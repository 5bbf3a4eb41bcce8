using Ztdr.Backup.Crypto;
using Ztdr.Backup.Index;
using Ztdr.Backup.Packing;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Repository;

/// <content>
/// Recovery after an interrupted backup (repository-format.md § 8, "index objects written by recovery"): packs are
/// uploaded as they fill but listed in an index object only when the run flushes, so a run that dies in between leaves
/// packs no index lists. Indexing them again lets the next run deduplicate against them instead of uploading the same
/// blobs twice.
/// </content>
public sealed partial class Repository
{
    // Each unindexed pack costs two ranged GETs and one retention read; a few at a time hides the round trips.
    private const int RecoveryParallelism = 8;

    /// <summary>
    /// Finds packs under <c>data/</c> that no index object lists, reads and authenticates each one's trailer, reads its
    /// retention from storage (authoritative: nothing else recorded it), and writes one index object listing them, so
    /// the blob index finds their blobs from now on. A pack whose trailer does not authenticate or parse is reported in
    /// <see cref="RecoveryResult.Skipped"/> and never indexed: storage, or whoever can write to it, could have planted
    /// it. Call right after opening for a backup, before saving blobs; needs write access (it uploads an index object).
    /// </summary>
    internal async Task<RecoveryResult> RecoverUnindexedPacksAsync(CancellationToken cancellationToken = default)
    {
        var candidates = new List<(ObjectId Id, ObjectInfo Item)>();
        await foreach (var item in _reader.ListAsync(RepositoryObjectNames.DataPrefix, cancellationToken))
        {
            if (!RepositoryObjectNames.TryParseId(item.Name, RepositoryObjectNames.DataPrefix, out var packId))
            {
                continue;
            }

            if (_index.Packs.ContainsKey(packId))
            {
                // Written over or hidden: this run's lock coverage must extend the authentic version, not the impostor.
                if (item.Candidates.Count > 1 || item.HidingMarker is not null)
                {
                    await _packPins.TryRepinAsync(packId, cancellationToken);
                }
            }
            else if (item.Candidates.Count == 1 && item.HidingMarker is null)
            {
                candidates.Add((packId, new ObjectInfo(item.Name, item.Size)));
            }
        }

        if (candidates.Count == 0)
        {
            return new RecoveryResult([], null, []);
        }

        var outcomes = new RecoveredPack[candidates.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = RecoveryParallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(
            Enumerable.Range(0, candidates.Count),
            options,
            async (i, ct) => outcomes[i] = await RecoverPackAsync(candidates[i].Id, candidates[i].Item, ct));

        var packs = outcomes.Where(o => o.Pack is not null).Select(o => o.Pack!).ToList();
        var skipped = outcomes.Where(o => o.Skipped is not null).Select(o => o.Skipped!).ToList();
        if (packs.Count == 0)
        {
            return new RecoveryResult([], null, skipped);
        }

        // One index object for all of them: an index object is the unit later runs extend (§ 11), so fewer is cheaper.
        var indexId = NewObjectId();
        var sealedIndex = SealedObject.Seal(_keys, _compressor, ObjectType.Index, indexId, IndexWriter.Write(new IndexObject([], packs)));
        var retainUntil = RunRetainUntil;
        var name = RepositoryObjectNames.Index(indexId);
        await _store.PutNewAsync(name, sealedIndex, retainUntil, cancellationToken);
        NoteRetention(indexId, name, retainUntil);
        _index.Add(indexId, packs);
        foreach (var pack in packs)
        {
            NoteRetention(pack.PackId, RepositoryObjectNames.Pack(pack.PackId), pack.RetainUntil);
        }

        return new RecoveryResult([.. packs.Select(p => p.PackId)], indexId, skipped);
    }

    private async Task<RecoveredPack> RecoverPackAsync(ObjectId packId, ObjectInfo item, CancellationToken cancellationToken)
    {
        IReadOnlyList<PackEntry> entries;
        var compressor = _compressors.Rent();
        try
        {
            // The trailer is sealed under a key derived from the pack id in the name: a pack moved to another name,
            // altered, or written without the master key fails here.
            entries = await PackReader.ReadTrailerAsync(_store, item.Name, packId, item.Size, _keys, compressor, cancellationToken);
        }
        catch (Exception e) when (e is CryptographicIntegrityException or RepositoryFormatException)
        {
            return new RecoveredPack(null, $"{item.Name}: {e.Message} (not indexed)");
        }
        finally
        {
            _compressors.Return(compressor);
        }

        // What storage enforces, not what the interrupted run meant to upload: the coverage check (§ 11) extends from
        // this date, so it must not be later than the truth.
        var retention = await _store.GetRetentionAsync(item.Name, cancellationToken);
        DateTimeOffset retainUntil;
        if (retention is { Mode: RetentionMode.Compliance })
        {
            retainUntil = retention.RetainUntil;
        }
        else
        {
            // No lock (a folder store that crashed between the object and its retention sidecar) or a GOVERNANCE
            // lock someone else set: lock it as this run would have. A refusal leaves the pack out of the index.
            retainUntil = RunRetainUntil;
            try
            {
                await _store.ExtendRetentionAsync(item.Name, retainUntil, cancellationToken);
            }
            catch (ObjectStoreException e) when (e.Kind is StoreErrorKind.AccessDenied or StoreErrorKind.Rejected)
            {
                return new RecoveredPack(null, $"{item.Name}: has no COMPLIANCE lock and cannot be given one ({e.Message}) (not indexed)");
            }
        }

        return new RecoveredPack(new IndexedPack(packId, retainUntil, entries), null);
    }

    private readonly record struct RecoveredPack(IndexedPack? Pack, string? Skipped);
}

/// <summary>
/// What <see cref="Repository.RecoverUnindexedPacksAsync"/> did: the packs it indexed, the index object it wrote (null
/// when there was nothing to index), and one line per pack it refused.
/// </summary>
internal sealed record RecoveryResult(IReadOnlyList<ObjectId> RecoveredPacks, ObjectId? IndexId, IReadOnlyList<string> Skipped);
