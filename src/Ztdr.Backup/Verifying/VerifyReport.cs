namespace Ztdr.Backup.Verifying;

/// <summary>
/// The outcome of a verify run. <see cref="Findings"/> are errors; <see cref="Warnings"/> are limits of what could be
/// checked (a store that is not immutable) and do not fail the run.
/// </summary>
internal sealed record VerifyReport(
    IReadOnlyList<VerifyFinding> Findings,
    IReadOnlyList<string> Warnings,
    int Snapshots,
    int Packs,
    int Blobs,
    bool LockCoverageChecked,
    int PacksRead,
    long BytesRead)
{
    public bool Passed => Findings.Count == 0;
}
