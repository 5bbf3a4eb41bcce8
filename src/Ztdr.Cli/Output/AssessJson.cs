using System.Text.Json.Serialization;

namespace Ztdr.Cli.Output;

/// <summary><c>assess --json</c>: the verdict, the counts and every probe; enumerated values lowercase-hyphenated.</summary>
internal sealed record AssessJson(
    string Endpoint,
    string Bucket,
    string RunId,
    string CanaryPrefix,
    DateTimeOffset StartedAt,
    bool Passed,
    int Pass,
    int Fail,
    int NotApplicable,
    IReadOnlyList<ProbeJson> Probes)
{
    [JsonPropertyOrder(-1)]
    public int Version { get; } = 1;
}

internal sealed record ProbeJson(
    string Question,
    string Probe,
    string Result,
    string Request,
    string Evidence,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Note);
