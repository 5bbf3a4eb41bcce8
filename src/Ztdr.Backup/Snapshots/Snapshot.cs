using System.Globalization;
using System.Text.Json;
using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Snapshots;

/// <summary>
/// One snapshot (repository-format.md § 9.2): the root tree of a backup and what the run knew about it. Format 2 (written
/// now) roots the tree at <c>/</c> and mirrors each backed-up absolute path; format 1 named each backed-up path by its
/// last component in the root tree. Both are read; a snapshot keeps its version when copied, as its tree keeps its shape.
/// </summary>
internal sealed record Snapshot(
    DateTimeOffset Time,
    string Hostname,
    string Username,
    IReadOnlyList<string> Paths,
    IReadOnlyList<string> Tags,
    BlobId Tree,
    ObjectId? Parent,
    DateTimeOffset RetainUntil,
    string Program,
    SnapshotSummary Summary)
{
    /// <summary>The version this ztdr writes.</summary>
    public const int FormatVersion = 2;

    /// <summary>The oldest version this ztdr reads.</summary>
    public const int OldestReadVersion = 1;

    private const string TimeFormat = "yyyy-MM-ddTHH:mm:ss.fffffffZ";

    /// <summary>The format of this snapshot's tree: <see cref="FormatVersion"/> for a new one, as read for a stored one.</summary>
    public int Version { get; init; } = FormatVersion;

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(
        new SnapshotDocument
        {
            Version = Version,
            Time = FormatTime(Time),
            Hostname = Hostname,
            Username = Username,
            Paths = [.. Paths],
            Tags = [.. Tags],
            Tree = Tree.ToString(),
            Parent = Parent?.ToString(),
            RetainUntil = FormatTime(RetainUntil),
            Program = Program,
            Summary = new SummaryDocument { Files = Summary.Files, Dirs = Summary.Dirs, Bytes = Summary.Bytes, AddedBytes = Summary.AddedBytes },
        },
        SnapshotJsonContext.Default.SnapshotDocument);

    public static Snapshot Parse(ReadOnlySpan<byte> json)
    {
        SnapshotDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, SnapshotJsonContext.Default.SnapshotDocument);
        }
        catch (JsonException ex)
        {
            throw new RepositoryFormatException("A snapshot is not valid snapshot JSON.", ex);
        }

        if (document is null || document.Version is < OldestReadVersion or > FormatVersion)
        {
            throw new RepositoryFormatException(
                $"A snapshot has version {document?.Version}; this ztdr reads versions {OldestReadVersion} to {FormatVersion}. Upgrade ztdr.");
        }

        ObjectId? parent = document.Parent is null ? null : ObjectId.Parse(document.Parent);
        var summary = document.Summary ?? new SummaryDocument();
        return new Snapshot(
            ParseTime(document.Time, "time"),
            document.Hostname ?? "",
            document.Username ?? "",
            document.Paths ?? [],
            document.Tags ?? [],
            BlobId.Parse(document.Tree ?? ""),
            parent,
            ParseTime(document.RetainUntil, "retainUntil"),
            document.Program ?? "",
            new SnapshotSummary(summary.Files, summary.Dirs, summary.Bytes, summary.AddedBytes))
        {
            Version = document.Version,
        };
    }

    private static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string? text, string field) =>
        DateTimeOffset.TryParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw new RepositoryFormatException($"A snapshot has an unreadable {field} '{text}'.");
}

internal sealed class SnapshotDocument
{
    public int Version { get; set; }

    public string? Time { get; set; }

    public string? Hostname { get; set; }

    public string? Username { get; set; }

    public List<string>? Paths { get; set; }

    public List<string>? Tags { get; set; }

    public string? Tree { get; set; }

    // § 9.2 writes "parent": null for a first snapshot rather than leaving the field out.
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)]
    public string? Parent { get; set; }

    public string? RetainUntil { get; set; }

    public string? Program { get; set; }

    public SummaryDocument? Summary { get; set; }
}

internal sealed class SummaryDocument
{
    public long Files { get; set; }

    public long Dirs { get; set; }

    public long Bytes { get; set; }

    public long AddedBytes { get; set; }
}
