using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Verifying;

/// <summary>What kind of damage a finding reports. Every kind is an error: verify passes only with none.</summary>
internal enum FindingKind
{
    /// <summary>A snapshot object cannot be read or authenticated: the whole snapshot is lost.</summary>
    SnapshotUnreadable,

    /// <summary>A tree blob is indexed but cannot be loaded or parsed: the folder's contents are lost and unchecked.</summary>
    TreeUnreadable,

    /// <summary>A snapshot references a blob that no index lists: restore cannot find it.</summary>
    BlobNotIndexed,

    /// <summary>The index lists a pack that storage does not hold.</summary>
    PackMissing,

    /// <summary>Storage holds a pack shorter than its index entries reach.</summary>
    PackTruncated,

    /// <summary>A pack could not be downloaded for reading.</summary>
    PackUnreadable,

    /// <summary>A blob in a pack fails authentication or decompression, or decrypts to content with another id.</summary>
    BlobDamaged,

    /// <summary>A pack's trailer is unreadable or lists other blobs than the index: the index cannot be rebuilt from it.</summary>
    PackTrailerMismatch,

    /// <summary>An object a snapshot depends on is not COMPLIANCE-locked at least until the snapshot's retain-until.</summary>
    LockNotCovering,

    /// <summary>
    /// Storage serves, under one of the repository's names, a version ztdr did not write (or a delete marker): the
    /// authentic version, if any, was used, but a credential that can write the bucket is in someone else's hands.
    /// </summary>
    Impostor,

    /// <summary>The newest snapshot this host saw committed is gone from storage: a rollback, or a hidden snapshot.</summary>
    SnapshotMissing,
}

/// <summary>
/// One error verify found: what kind, which stored object (a name in the store, or "tree &lt;id&gt;" / "blob &lt;id&gt;"
/// for a blob), what is wrong, the snapshots it breaks and the paths in them (at most the cap the verifier was given;
/// <see cref="MorePaths"/> says how many were left out).
/// </summary>
internal sealed record VerifyFinding(
    FindingKind Kind,
    string Object,
    string Detail,
    IReadOnlyList<ObjectId> Snapshots,
    IReadOnlyList<string> Paths,
    long MorePaths);

/// <summary>
/// A finding while verify still collects what it affects. Paths are deduplicated per snapshot and capped, so memory
/// stays bounded when one missing pack breaks a million files.
/// </summary>
internal sealed class FindingBuilder(FindingKind kind, string objectName, string detail, int maxPaths)
{
    private readonly List<ObjectId> _snapshots = [];
    private readonly HashSet<ObjectId> _snapshotSet = [];
    private readonly List<string> _paths = [];
    private readonly HashSet<string> _pathSet = new(StringComparer.Ordinal);
    private long _morePaths;

    public FindingKind Kind => kind;

    public string Detail { get; set; } = detail;

    public void AddSnapshot(ObjectId snapshot)
    {
        if (_snapshotSet.Add(snapshot))
        {
            _snapshots.Add(snapshot);
        }
    }

    /// <summary>Adds a path of <paramref name="snapshot"/>; the same path seen in another snapshot is listed once.</summary>
    public void AddPath(ObjectId snapshot, string path)
    {
        AddSnapshot(snapshot);
        if (_pathSet.Contains(path))
        {
            return;
        }

        if (_paths.Count < maxPaths)
        {
            _paths.Add(path);
            _pathSet.Add(path);
        }
        else
        {
            // Past the cap only a count is kept; a path repeated across snapshots may then be counted twice.
            _morePaths++;
        }
    }

    public VerifyFinding Build() => new(kind, objectName, Detail, [.. _snapshots], [.. _paths], _morePaths);
}
