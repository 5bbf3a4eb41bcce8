using System.Text.Json.Serialization;

namespace Ztdr.Cli.Output;

/// <summary><c>restore --json</c>: what was written where.</summary>
internal sealed record RestoreJson(string Snapshot, string Target, long Files, long Dirs, long Symlinks, long HardLinks, long Bytes)
{
    [JsonPropertyOrder(-1)]
    public int Version { get; } = 1;
    /// <summary>Seconds the command took, from start to this summary (backup's field of the same name).</summary>
    [JsonPropertyOrder(1)]
    public double DurationSeconds { get; init; }
}
