using System.Text.Json.Serialization;

namespace Ztdr.Cli.Output;

/// <summary><c>verify --json</c>: the counts and every finding; <c>errors</c> is the number of findings (0 = passed).</summary>
internal sealed record VerifyJson(
    int Errors,
    int Snapshots,
    int Packs,
    int Blobs,
    int PacksRead,
    long BytesRead,
    bool LockCoverageChecked,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<FindingJson> Findings)
{
    [JsonPropertyOrder(-1)]
    public int Version { get; } = 1;
    /// <summary>Seconds the command took, from start to this summary (backup's field of the same name).</summary>
    [JsonPropertyOrder(1)]
    public double DurationSeconds { get; init; }
}

/// <summary>One finding: its stable kind name, the object, and the snapshots and paths it breaks.</summary>
internal sealed record FindingJson(string Kind, string Object, string Detail, IReadOnlyList<string> Snapshots, IReadOnlyList<string> Paths, long MorePaths);
