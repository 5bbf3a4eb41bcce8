using Ztdr.Backup.Authenticity;
using Ztdr.Backup.Crypto;
using Ztdr.Backup.Index;
using Ztdr.Backup.Retention;
using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Repository;

/// <content>What the repository knows about each object's retain-until, without asking storage (§ 11).</content>
public sealed partial class Repository
{
    // Object id → name and the latest retain-until this client knows of. A lower bound of what storage enforces: it
    // is only ever raised by an upload or extension this client made or read a record of, so acting on it can cost an
    // unnecessary extension call but never skips a needed one.
    private readonly Dictionary<ObjectId, TrackedObject> _tracked = [];

    // Caps on what storage can make a reader allocate (sealed sizes): an index object lists about 130 bytes per blob,
    // and its body is capped like any blob's (128 MiB, about a million blobs in one run's index); a retention record lists 40 bytes per extension.
    private const int MaxIndexObjectLength = Compression.BlobCompressor.MaxRawLength + (64 * 1024);
    private const int MaxRetentionRecordLength = 64 * 1024 * 1024;

    /// <summary>Index objects and retention records read at once on open.</summary>
    private const int ParallelReads = 8;

    private void RecordInitialRetention(DateTimeOffset retainUntil)
    {
        NoteRetention(Config.Id, RepositoryObjectNames.Config, retainUntil);
        foreach (var keyId in KeyObjects.Keys)
        {
            NoteRetention(keyId, RepositoryObjectNames.Key(keyId), retainUntil);
        }
    }

    private void NoteRetention(ObjectId id, string name, DateTimeOffset retainUntil)
    {
        if (!_tracked.TryGetValue(id, out var known) || known.RetainUntil < retainUntil)
        {
            _tracked[id] = new TrackedObject(name, retainUntil);
        }
    }

    private void RaiseRecordedRetention(ObjectId id, DateTimeOffset retainUntil)
    {
        if (_tracked.TryGetValue(id, out var known) && known.RetainUntil < retainUntil)
        {
            _tracked[id] = known with { RetainUntil = retainUntil };
        }
    }

    /// <summary>The retain-until this client knows for an object, if it tracks it.</summary>
    internal DateTimeOffset? KnownRetainUntil(ObjectId id) => _tracked.TryGetValue(id, out var known) ? known.RetainUntil : null;

    /// <summary>
    /// Makes every object a snapshot of this session depends on — config, key objects, the packs holding its blobs and
    /// the index objects listing them — COMPLIANCE-locked until at least gen(<paramref name="snapshotRetainUntil"/>)
    /// (repository-format.md § 11). Flushes first, so no blob is still unuploaded. Only objects known to be locked
    /// for less are extended, one call each, and the extensions are recorded in a <c>retention/&lt;id&gt;</c> object
    /// so later runs need not extend them again. Upload the snapshot only after this returns.
    /// </summary>
    internal async Task<CoverageResult> EnsureCoverageAsync(DateTimeOffset snapshotRetainUntil, CancellationToken cancellationToken = default)
    {
        await FlushAsync(cancellationToken);
        var target = Config.Lock.Generation(snapshotRetainUntil);
        var dependencies = new HashSet<ObjectId> { Config.Id };
        dependencies.UnionWith(KeyObjects.Keys);
        foreach (var packId in _referencedPacks)
        {
            dependencies.Add(packId);
            dependencies.UnionWith(_index.IndexObjectsOf(packId));
        }

        var extended = new List<RetentionExtension>();
        foreach (var id in dependencies)
        {
            var tracked = _tracked.TryGetValue(id, out var known)
                ? known
                : throw new InvalidOperationException($"Object {id} is a dependency whose name this session does not know.");
            if (tracked.RetainUntil >= target)
            {
                continue;
            }

            await _store.ExtendRetentionAsync(tracked.Name, target, cancellationToken);
            _tracked[id] = tracked with { RetainUntil = target };
            extended.Add(new RetentionExtension(id, target));
        }

        if (extended.Count == 0)
        {
            return new CoverageResult(dependencies.Count, 0, null);
        }

        var recordId = NewObjectId();
        var sealedRecord = SealedObject.Seal(_keys, _compressor, ObjectType.Retention, recordId, RetentionRecord.Write(extended));
        await _store.PutNewAsync(RepositoryObjectNames.Retention(recordId), sealedRecord, RunRetainUntil, cancellationToken);
        return new CoverageResult(dependencies.Count, extended.Count, recordId);
    }

    private async Task LoadStateAsync(CancellationToken cancellationToken)
    {
        // Config and key objects were uploaded locked until gen(created + retention) of the run that wrote them.
        NoteRetention(Config.Id, RepositoryObjectNames.Config, Config.Lock.RetainUntilForRunAt(Config.Created));
        foreach (var (keyId, key) in KeyObjects)
        {
            NoteRetention(keyId, RepositoryObjectNames.Key(keyId), Config.Lock.RetainUntilForRunAt(key.Created));
        }

        // Read several at once: each is a request, and a repository gains an index object per backup (one at a time,
        // a year of daily backups cost a second on a LAN and much more across a WAN before any work started).
        var listed = new List<(StoredName Item, ObjectId Id)>();
        await foreach (var item in _reader.ListAsync(RepositoryObjectNames.IndexPrefix, cancellationToken))
        {
            if (RepositoryObjectNames.TryParseId(item.Name, RepositoryObjectNames.IndexPrefix, out var indexId))
            {
                listed.Add((item, indexId));
            }
        }

        var read = new (IndexObject? Index, string? Damage)[listed.Count];
        await Parallel.ForAsync(0, listed.Count, new ParallelOptions { MaxDegreeOfParallelism = ParallelReads, CancellationToken = cancellationToken }, async (i, token) =>
        {
            var (item, indexId) = listed[i];
            try
            {
                var index = await _reader.ReadAsync(item, MaxIndexObjectLength, bytes => OpenSealed(ObjectType.Index, indexId, bytes, body => IndexReader.Read(body)), token);

                // The index is derived data: an index object that does not authenticate must not lock the owner out of
                // every snapshot. Its packs read as unindexed: verify names what they hold, and the next backup or copy
                // re-indexes them from their own authenticated trailers (RecoverUnindexedPacksAsync).
                read[i] = index is not null ? (index, null) : (null, $"{item.Name}: no version authenticates (verify names each)");
            }
            catch (ObjectStoreException e) when (e.Kind == StoreErrorKind.Damaged)
            {
                read[i] = (null, $"{item.Name}: {e.Message}");
            }
        });

        var indexObjects = new Dictionary<ObjectId, IndexObject>();
        for (var i = 0; i < listed.Count; i++)
        {
            if (read[i].Index is { } index)
            {
                indexObjects[listed[i].Id] = index;
            }
            else
            {
                _damagedIndexObjects.Add(read[i].Damage!);
            }
        }

        _index = BlobIndex.Load(indexObjects);
        foreach (var pack in _index.Packs.Values)
        {
            NoteRetention(pack.PackId, RepositoryObjectNames.Pack(pack.PackId), pack.RetainUntil);
        }

        foreach (var indexId in _index.IndexObjectIds)
        {
            // An index object was locked to the generation of the run that wrote it, which uploaded its packs with
            // the same date; the earliest pack date is a safe lower bound when it also lists older packs.
            var packs = indexObjects[indexId].Packs;
            if (packs.Count > 0)
            {
                NoteRetention(indexId, RepositoryObjectNames.Index(indexId), packs.Min(p => p.RetainUntil));
            }
        }

        var records = new List<(StoredName Item, ObjectId Id)>();
        await foreach (var item in _reader.ListAsync(RepositoryObjectNames.RetentionPrefix, cancellationToken))
        {
            if (RepositoryObjectNames.TryParseId(item.Name, RepositoryObjectNames.RetentionPrefix, out var recordId))
            {
                records.Add((item, recordId));
            }
        }

        var extensionsRead = new IReadOnlyList<RetentionExtension>?[records.Count];
        await Parallel.ForAsync(0, records.Count, new ParallelOptions { MaxDegreeOfParallelism = ParallelReads, CancellationToken = cancellationToken }, async (i, token) =>
        {
            // A record only ever saves extension calls: one that does not authenticate is passed over (and logged),
            // which at worst costs an extension this run did not need.
            var (item, recordId) = records[i];
            extensionsRead[i] = await _reader.ReadAsync(
                item, MaxRetentionRecordLength, bytes => OpenSealed(ObjectType.Retention, recordId, bytes, body => RetentionRecord.Read(body), MaxRetentionRecordLength), token);
        });

        foreach (var extension in extensionsRead.SelectMany(e => e ?? []))
        {
            RaiseRecordedRetention(extension.Id, extension.RetainUntil);
        }
    }

    // Opens a sealed object with a compressor of its own: the reads on open run in parallel.
    private T OpenSealed<T>(ObjectType type, ObjectId id, byte[] bytes, Func<byte[], T> parse, int? maxBodyLength = null)
    {
        var compressor = _compressors.Rent();
        try
        {
            return parse(maxBodyLength is { } max ? SealedObject.Open(_keys, compressor, type, id, bytes, max) : SealedObject.Open(_keys, compressor, type, id, bytes));
        }
        finally
        {
            _compressors.Return(compressor);
        }
    }

    private readonly record struct TrackedObject(string Name, DateTimeOffset RetainUntil);
}

/// <summary>What <see cref="Repository.EnsureCoverageAsync"/> did: objects checked, extension calls made, and the record written (if any).</summary>
internal sealed record CoverageResult(int Dependencies, int Extended, ObjectId? RecordId);
