using System.Text.Json.Serialization;

namespace Ztdr.Cli.Output;

/// <summary>
/// One element of <c>snapshots --json</c>, which prints an array as restic does (<c>jq '.[].id'</c> works for both);
/// each element carries the version, so an empty array is the only output without one.
/// </summary>
internal sealed record SnapshotJson(
    string Id,
    DateTimeOffset Time,
    string Hostname,
    string Username,
    IReadOnlyList<string> Paths,
    IReadOnlyList<string> Tags,
    string Tree,
    string? Parent,
    DateTimeOffset RetainUntil,
    SnapshotSummaryJson Summary,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Forgotten)
{
    [JsonPropertyOrder(-1)]
    public int Version { get; } = 1;
}

internal sealed record SnapshotSummaryJson(long Files, long Dirs, long Bytes, long AddedBytes);
