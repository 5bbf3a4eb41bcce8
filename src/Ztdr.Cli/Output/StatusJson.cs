using System.Text.Json.Serialization;

namespace Ztdr.Cli.Output;

/// <summary>
/// <c>status --json</c>, for monitoring: the 3-2-1-1-0 verdict, each rule's count, and every zone; ages in whole
/// seconds at the time of the run.
/// </summary>
internal sealed record StatusJson(
    bool Met,
    StatusSnapshotJson? NewestSnapshot,
    IReadOnlyList<string> HoldingZones,
    IReadOnlyList<SameRepositoryJson> SameRepository,
    IReadOnlyDictionary<string, RuleJson> Rules,
    IReadOnlyList<ZoneStatusJson> Zones)
{
    [JsonPropertyOrder(-1)]
    public int Version { get; } = 1;
}

internal sealed record StatusSnapshotJson(string Id, DateTimeOffset Time, long AgeSeconds, string Hostname, DateTimeOffset RetainUntil);

internal sealed record SameRepositoryJson(string RepositoryId, IReadOnlyList<string> Zones, bool OffsiteDisagrees);

internal sealed record RuleJson(int Count, int Required, bool Met);

internal sealed record ZoneStatusJson(
    string Name,
    string Repository,
    string? RepositoryId,
    string Medium,
    bool Offsite,
    bool Readable,
    string? Error,
    int Snapshots,
    StatusSnapshotJson? NewestSnapshot,
    LockJson? Lock,
    VerificationJson? LastVerification);

internal sealed record LockJson(string Mode, DateTimeOffset? RetainUntil, bool Covers);

internal sealed record VerificationJson(
    DateTimeOffset Time,
    long AgeSeconds,
    bool Clean,
    int Errors,
    int Warnings,
    int Snapshots,
    int Packs,
    int PacksRead,
    string ReadData,
    double ReadDataFraction,
    bool LockCoverageChecked,
    string Hostname,
    string Program,
    string? RecordedIn);
