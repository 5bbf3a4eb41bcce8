using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ztdr.Backup.Verifying;

/// <summary>
/// What one verify run found, kept so that <c>ztdr status</c> (on any host) can answer "when was this repository last
/// proven restorable, and was it clean?" — the "0" of 3-2-1-1-0. Stored as a <c>verifications/&lt;id&gt;</c> object
/// (repository-format.md § 9.5) or, when the verifying key cannot write, in a local state file with the same JSON.
/// </summary>
/// <remarks><see cref="ReadData"/> is what <c>--read-data</c> selected: <c>none</c>, <c>all</c>, <c>N%</c> or <c>n/t</c>.</remarks>
internal sealed record VerificationRecord(
    DateTimeOffset Time,
    string Hostname,
    string Program,
    int Snapshots,
    int Packs,
    int PacksRead,
    string ReadData,
    int Errors,
    int Warnings,
    bool LockCoverageChecked)
{
    public const int FormatVersion = 1;

    private const string TimeFormat = "yyyy-MM-ddTHH:mm:ss.fffffffZ";

    /// <summary>The share of packs whose every byte was downloaded and authenticated (0 for a structure-only run).</summary>
    public double ReadDataFraction => Packs == 0 ? (ReadData == "none" ? 0 : 1) : (double)PacksRead / Packs;

    public bool Clean => Errors == 0;

    /// <summary>The record of a finished run at <paramref name="time"/>.</summary>
    public static VerificationRecord From(VerifyReport report, PackSubset? readData, DateTimeOffset time, string hostname, string program) => new(
        time,
        hostname,
        program,
        report.Snapshots,
        report.Packs,
        report.PacksRead,
        readData switch
        {
            null => "none",
            PackSubset.RandomPercent p => p.Percent.ToString(CultureInfo.InvariantCulture) + "%",
            PackSubset.Group g => $"{g.N}/{g.Total}",
            _ => "all",
        },
        report.Findings.Count,
        report.Warnings.Count,
        report.LockCoverageChecked);

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(
        new VerificationDocument
        {
            Version = FormatVersion,
            Time = Time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture),
            Hostname = Hostname,
            Program = Program,
            Snapshots = Snapshots,
            Packs = Packs,
            PacksRead = PacksRead,
            ReadData = ReadData,
            Errors = Errors,
            Warnings = Warnings,
            LockCoverageChecked = LockCoverageChecked,
        },
        VerificationJsonContext.Default.VerificationDocument);

    public static VerificationRecord Parse(ReadOnlySpan<byte> json)
    {
        VerificationDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, VerificationJsonContext.Default.VerificationDocument);
        }
        catch (JsonException ex)
        {
            throw new RepositoryFormatException("A verification record is not valid JSON.", ex);
        }

        if (document is null || document.Version != FormatVersion)
        {
            throw new RepositoryFormatException($"A verification record has version {document?.Version}; this ztdr reads version {FormatVersion}. Upgrade ztdr.");
        }

        if (!DateTimeOffset.TryParseExact(document.Time, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            throw new RepositoryFormatException($"A verification record has an unreadable time '{document.Time}'.");
        }

        if (document.Snapshots < 0 || document.Packs < 0 || document.PacksRead < 0 || document.Errors < 0 || document.Warnings < 0)
        {
            throw new RepositoryFormatException("A verification record has a negative count.");
        }

        return new VerificationRecord(
            time,
            document.Hostname ?? "",
            document.Program ?? "",
            document.Snapshots,
            document.Packs,
            document.PacksRead,
            document.ReadData ?? "none",
            document.Errors,
            document.Warnings,
            document.LockCoverageChecked);
    }
}

internal sealed class VerificationDocument
{
    public int Version { get; set; }

    public string? Time { get; set; }

    public string? Hostname { get; set; }

    public string? Program { get; set; }

    public int Snapshots { get; set; }

    public int Packs { get; set; }

    public int PacksRead { get; set; }

    public string? ReadData { get; set; }

    public int Errors { get; set; }

    public int Warnings { get; set; }

    public bool LockCoverageChecked { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(VerificationDocument))]
internal sealed partial class VerificationJsonContext : JsonSerializerContext;
