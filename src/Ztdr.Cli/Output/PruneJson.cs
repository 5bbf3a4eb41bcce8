using System.Text.Json.Serialization;

namespace Ztdr.Cli.Output;

/// <summary>
/// <c>prune --json</c>: the plan, then per kind of object what was deleted and what stays locked. With
/// <c>dryRun</c> true, <c>objects</c> and <c>bytes</c> are what a real prune would delete now and nothing was written.
/// </summary>
internal sealed record PruneJson(
    bool DryRun,
    PrunePlanJson Plan,
    IReadOnlyList<PruneKindJson> Kinds,
    int Objects,
    long Bytes,
    int NewPacks,
    int RepackedBlobs,
    int NewIndexObjects,
    int StillLocked,
    DateTimeOffset? FirstUnlock,
    DateTimeOffset? LockedUntil)
{
    [JsonPropertyOrder(-1)]
    public int Version { get; } = 1;
    /// <summary>Seconds the command took, from start to this summary (backup's field of the same name).</summary>
    [JsonPropertyOrder(1)]
    public double DurationSeconds { get; init; }
}

internal sealed record PrunePlanJson(
    int KeptSnapshots,
    int ForgottenSnapshots,
    int ReachableBlobs,
    int PacksInUse,
    int PartlyUsedPacks,
    int RepackPacks,
    long UnusedBytesInPartlyUsedPacks,
    int MissingPacks);

/// <summary>One kind (pack, index, snapshot, marker): objects and bytes deleted, and those still locked until when.</summary>
internal sealed record PruneKindJson(string Kind, int Objects, long Bytes, int StillLocked, DateTimeOffset? LockedUntil);
