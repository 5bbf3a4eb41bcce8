using System.Text.Json.Serialization;

namespace Ztdr.Cli.Output;

/// <summary><c>copy --json</c>: counts, each copy's source and target id, and whether the target verified after it.</summary>
internal sealed record CopyJson(
    int SnapshotsCopied,
    int SnapshotsSkipped,
    long BlobsRead,
    long BlobsCopied,
    long BytesCopied,
    int PacksRecovered,
    bool TargetVerified,
    IReadOnlyList<CopiedSnapshotJson> Snapshots,
    IReadOnlyList<string> Skipped)
{
    [JsonPropertyOrder(-1)]
    public int Version { get; } = 1;
    /// <summary>Seconds the command took, from start to this summary (backup's field of the same name).</summary>
    [JsonPropertyOrder(1)]
    public double DurationSeconds { get; init; }
}

internal sealed record CopiedSnapshotJson(string Source, string Target);

/// <summary><c>copy --dry-run --json</c>: what a copy would do; <c>dryRun</c> is always true and tells the two apart.</summary>
internal sealed record CopyPlanJson(
    int SnapshotsToCopy,
    int SnapshotsSkipped,
    long BlobsToRead,
    long BytesToRead,
    IReadOnlyList<string> Snapshots,
    IReadOnlyList<string> Skipped)
{
    [JsonPropertyOrder(-2)]
    public int Version { get; } = 1;

    [JsonPropertyOrder(-1)]
    public bool DryRun { get; } = true;

    /// <summary>Seconds the command took, from start to this summary (backup's field of the same name).</summary>
    [JsonPropertyOrder(1)]
    public double DurationSeconds { get; init; }
}
