using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Verifying;

/// <summary>
/// The findings of one verify run, indexed the way the locating walk looks them up: by blob (a blob no index lists,
/// a damaged blob, an unreadable tree) and by pack (missing, truncated, unreadable, locked too briefly). Not
/// thread-safe: the parallel phases hand their results to one thread.
/// </summary>
internal sealed class FindingSet(int maxPaths)
{
    private readonly List<FindingBuilder> _all = [];
    private readonly Dictionary<BlobId, FindingBuilder> _byBlob = [];
    private readonly Dictionary<ObjectId, List<PackFault>> _byPack = [];
    private readonly HashSet<ObjectId> _suspectPacks = [];

    /// <summary>Whether any finding can affect files, so the locating walk is worth doing.</summary>
    public bool HasBlobOrPackFaults => _byBlob.Count > 0 || _byPack.Count > 0;

    /// <summary>Packs holding a blob with a fault or having one themselves: trees referencing them are walked again to name paths.</summary>
    public IReadOnlySet<ObjectId> SuspectPacks => _suspectPacks;

    public FindingBuilder Add(FindingKind kind, string objectName, string detail)
    {
        var finding = new FindingBuilder(kind, objectName, detail, maxPaths);
        _all.Add(finding);
        return finding;
    }

    /// <summary>A finding about one blob, at most one per blob (the first fault seen wins).</summary>
    public FindingBuilder ForBlob(BlobId blob, FindingKind kind, string objectName, string detail)
    {
        if (!_byBlob.TryGetValue(blob, out var finding))
        {
            finding = Add(kind, objectName, detail);
            _byBlob[blob] = finding;
        }

        return finding;
    }

    /// <summary>Files with blob <paramref name="blob"/> are affected by <paramref name="finding"/> (several blobs may share one finding).</summary>
    public void AttachBlob(BlobId blob, ObjectId pack, FindingBuilder finding)
    {
        _byBlob.TryAdd(blob, finding);
        _suspectPacks.Add(pack);
    }

    /// <summary>
    /// Files with blobs in <paramref name="pack"/> are affected, in snapshots whose retain-until is later than
    /// <paramref name="coveredUntil"/> (null: in every snapshot).
    /// </summary>
    public void AttachPack(ObjectId pack, FindingBuilder finding, DateTimeOffset? coveredUntil = null)
    {
        if (!_byPack.TryGetValue(pack, out var faults))
        {
            faults = [];
            _byPack[pack] = faults;
        }

        faults.Add(new PackFault(finding, coveredUntil));
        _suspectPacks.Add(pack);
    }

    public bool TryGetBlobFinding(BlobId blob, out FindingBuilder finding) => _byBlob.TryGetValue(blob, out finding!);

    public IReadOnlyList<PackFault> PackFaults(ObjectId pack) => _byPack.TryGetValue(pack, out var faults) ? faults : [];

    public IReadOnlyList<VerifyFinding> Build() => [.. _all.Select(f => f.Build())];
}

/// <summary>A pack's fault and the latest snapshot retain-until it still serves (null: it serves none).</summary>
internal sealed record PackFault(FindingBuilder Finding, DateTimeOffset? CoveredUntil)
{
    public bool Affects(DateTimeOffset snapshotRetainUntil) => CoveredUntil is not { } covered || snapshotRetainUntil > covered;
}
