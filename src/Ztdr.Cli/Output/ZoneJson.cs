using System.Text.Json.Serialization;

namespace Ztdr.Cli.Output;

/// <summary>One element of <c>zones list --json</c> (an array, like <c>snapshots --json</c>); unset settings are null.</summary>
internal sealed record ZoneJson(
    string Name,
    string Repository,
    string? Profile,
    string? CredentialsFile,
    string? CaBundle,
    string? PasswordFile,
    string? ReadProfile,
    string? MaintenanceProfile,
    bool Offsite)
{
    [JsonPropertyOrder(-1)]
    public int Version { get; } = 1;
}
