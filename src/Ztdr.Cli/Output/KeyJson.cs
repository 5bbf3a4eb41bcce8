using System.Text.Json.Serialization;

namespace Ztdr.Cli.Output;

/// <summary>One element of <c>key list --json</c> (an array, like <c>snapshots --json</c>).</summary>
internal sealed record KeyJson(string Id, DateTimeOffset Created)
{
    [JsonPropertyOrder(-1)]
    public int Version { get; } = 1;
}

/// <summary><c>key add --json</c>: the new key object and until when it is locked (it cannot be removed before).</summary>
internal sealed record KeyAddJson(string Id, DateTimeOffset RetainUntil)
{
    [JsonPropertyOrder(-1)]
    public int Version { get; } = 1;
}
