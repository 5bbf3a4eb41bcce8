using System.Text.Json.Serialization;

namespace Ztdr.Cli.Output;

/// <summary><c>init --json</c>: the new repository, where it is, and until when its first objects are locked.</summary>
internal sealed record InitJson(string Repository, string Location, string Retention, long RetentionSeconds, DateTimeOffset RetainUntil)
{
    [JsonPropertyOrder(-1)]
    public int Version { get; } = 1;
}
