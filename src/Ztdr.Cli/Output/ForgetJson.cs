using System.Text.Json.Serialization;

namespace Ztdr.Cli.Output;

/// <summary>
/// <c>forget --json</c>: with keep rules, each group's decisions (as restic's <c>forget --json</c> groups them);
/// by id, no groups. <c>forgotten</c> lists what was (or, with <c>dryRun</c>, would be) forgotten; <c>marker</c> is the
/// forgotten marker written, null on a dry run or when there was nothing to forget.
/// </summary>
internal sealed record ForgetJson(bool DryRun, IReadOnlyList<ForgetGroupJson> Groups, IReadOnlyList<string> Forgotten, string? Marker)
{
    [JsonPropertyOrder(-1)]
    public int Version { get; } = 1;
    /// <summary>Seconds the command took, from start to this summary (backup's field of the same name).</summary>
    [JsonPropertyOrder(1)]
    public double DurationSeconds { get; init; }
}

/// <summary>One group: its key (<c>""</c> when grouping is off), the kept snapshots and the forgotten ones, newest first.</summary>
internal sealed record ForgetGroupJson(string Key, IReadOnlyList<ForgetSnapshotJson> Keep, IReadOnlyList<ForgetSnapshotJson> Forget);

/// <summary>A snapshot and the rules that keep it (empty for one forgotten).</summary>
internal sealed record ForgetSnapshotJson(string Id, DateTimeOffset Time, string Hostname, IReadOnlyList<string> Paths, IReadOnlyList<string> Tags, IReadOnlyList<string> Reasons);
