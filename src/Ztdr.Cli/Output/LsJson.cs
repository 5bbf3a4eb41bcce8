using System.Text.Json.Serialization;

namespace Ztdr.Cli.Output;

/// <summary>
/// One line of <c>ls --json</c>: one object per path (JSON Lines), so a listing of millions streams and a script reads
/// it line by line; each line carries the version.
/// </summary>
internal sealed record LsJson(
    string Path,
    string Name,
    string Type,
    uint Mode,
    string Permissions,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] uint? Uid,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] uint? Gid,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Size,
    DateTimeOffset Mtime,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LinkTarget)
{
    [JsonPropertyOrder(-1)]
    public int Version { get; } = 1;
}
