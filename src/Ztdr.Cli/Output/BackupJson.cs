using System.Text.Json.Serialization;

namespace Ztdr.Cli.Output;

/// <summary><c>backup --json</c>: the new snapshot and what the run read, added and skipped.</summary>
internal sealed record BackupJson(
    string Snapshot,
    string Tree,
    long Files,
    long Dirs,
    long BytesRead,
    long NewBlobs,
    long AddedBytes,
    long FilesUnchanged,
    long PacksUploaded,
    double DurationSeconds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? RetainUntil,
    string? Parent,
    IReadOnlyList<string> Skipped,
    IReadOnlyList<string> Errors)
{
    [JsonPropertyOrder(-1)]
    public int Version { get; } = 1;
}
