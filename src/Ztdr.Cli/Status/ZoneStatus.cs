using Ztdr.Backup.Crypto;
using Ztdr.Backup.Stores;
using Ztdr.Backup.Verifying;

namespace Ztdr.Cli.Status;

/// <summary>
/// What <c>ztdr status</c> found in one zone. <see cref="Error"/> set means the zone could not be read, and the other
/// facts are empty: an unreachable zone is a row with its error, never the end of the report.
/// </summary>
/// <remarks>
/// <see cref="Medium"/> is what "2 media" counts: an S3 endpoint's host and port, or <c>local</c> for every folder
/// repository (two folders may well be the same disk, so they count once). <see cref="Origins"/> holds, for every
/// snapshot the zone lists, the snapshot it was copied from (its <c>copy-of:</c> tag), so that copies of copies can be
/// traced back to the backup they came from.
/// </remarks>
internal sealed record ZoneStatus(string Name, string Repository, string Medium, bool Offsite)
{
    public string? Error { get; init; }

    /// <summary>The repository's id as read from storage: what makes two zone entries the same copy.</summary>
    public string? RepositoryId { get; init; }

    public int SnapshotCount { get; init; }

    public NewestSnapshot? Newest { get; init; }

    public LockStatus? Lock { get; init; }

    public VerificationRecord? LastVerification { get; init; }

    /// <summary>Where <see cref="LastVerification"/> came from: <c>repository</c> or <c>host</c> (this host's state file).</summary>
    public string? VerificationRecordedIn { get; init; }

    public IReadOnlyDictionary<ObjectId, ObjectId?> Origins { get; init; } = new Dictionary<ObjectId, ObjectId?>();

    public bool Readable => Error is null;

    /// <summary>Verified at least once, and the last run found nothing wrong.</summary>
    public bool VerifiedClean => LastVerification is { Clean: true };
}

/// <summary>A zone's newest snapshot (by time).</summary>
internal sealed record NewestSnapshot(ObjectId Id, DateTimeOffset Time, string Hostname, DateTimeOffset RetainUntil);

/// <summary>
/// Whether storage keeps the zone's newest snapshot as long as it must: the weakest retention storage reports for the
/// snapshot object, config and key objects, against the snapshot's retain-until. <see cref="Mode"/> is
/// <c>COMPLIANCE</c>, <c>GOVERNANCE</c>, <c>none</c> (some object has no lock) or <c>not-immutable</c> (a folder).
/// </summary>
internal sealed record LockStatus(string Mode, DateTimeOffset? RetainUntil, bool Covers)
{
    public static LockStatus NotImmutable { get; } = new("not-immutable", null, false);

    public static LockStatus From(IReadOnlyList<ObjectRetention?> retentions, DateTimeOffset required)
    {
        if (retentions.Any(r => r is null))
        {
            return new LockStatus("none", null, false);
        }

        var weakest = retentions.Select(r => r!).OrderBy(r => r.Mode == RetentionMode.Compliance ? 1 : 0).ThenBy(r => r.RetainUntil).First();
        return new LockStatus(weakest.Mode == RetentionMode.Compliance ? "COMPLIANCE" : "GOVERNANCE", weakest.RetainUntil, retentions.All(r => r!.Covers(required)));
    }
}
