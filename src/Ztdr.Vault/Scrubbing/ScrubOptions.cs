namespace Ztdr.Vault.Scrubbing;

/// <summary>How one scrub runs.</summary>
public sealed record ScrubOptions
{
    /// <summary>Most bytes read per second from data files, so a background scrub does not starve clients; null reads at full speed.</summary>
    public long? BytesPerSecond { get; init; }

    /// <summary>
    /// How old an unreferenced file must be before it counts as an orphan. A file is published before the metadata
    /// commit that refers to it, so a young unreferenced file is usually a write in flight.
    /// </summary>
    public TimeSpan OrphanGracePeriod { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Cross-check every version's lock state against the audit chain (<see cref="LockCrossCheck"/>).</summary>
    public bool CheckLocks { get; init; } = true;

    /// <summary>Look for orphan files after checking every version.</summary>
    public bool FindOrphans { get; init; } = true;

    /// <summary>Segment rows read per metadata query; each batch is read in one short read transaction.</summary>
    public int BatchSize { get; init; } = 256;
}

/// <summary>Where a running scrub is. <see cref="TotalBytes"/> is measured at the start; a live vault may change meanwhile.</summary>
public sealed record ScrubProgress(long VersionsChecked, long SegmentsChecked, long BytesRead, long TotalBytes, int Findings);

/// <summary>The outcome of one full scrub.</summary>
public sealed record ScrubResult(
    DateTimeOffset Started,
    DateTimeOffset Finished,
    long VersionsChecked,
    long SegmentsChecked,
    long BytesRead,
    IReadOnlyList<ScrubFinding> Findings,
    IReadOnlyList<OrphanFile> Orphans)
{
    /// <summary>
    /// Files in quarantine/: data no metadata row named at start. They may be the only copy of versions a lost or
    /// rolled-back metadata store forgot, so they make the scrub unclean until an operator runs <c>recover</c>.
    /// </summary>
    public IReadOnlyList<Storage.QuarantinedFile> Quarantined { get; init; } = [];

    /// <summary>What the lock cross-check covered; null when it did not run or the vault has no audit log.</summary>
    public LockCheckSummary? Locks { get; init; }

    /// <summary>
    /// No stored version is damaged and nothing waits in quarantine. Orphans do not count: they waste space but no
    /// client can read them, and they are not moved while the vault serves.
    /// </summary>
    public bool IsClean => Findings.Count == 0 && Quarantined.Count == 0;
}
