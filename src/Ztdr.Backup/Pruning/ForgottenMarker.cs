using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Pruning;

/// <summary>
/// A <c>forgotten/&lt;id&gt;</c> object (repository-format.md § 9.3): snapshots marked forgotten at one time. Forget
/// only writes markers; a marked snapshot is hidden from listings and no longer keeps its data alive, but only prune
/// (maintenance key, expired locks) deletes anything.
/// </summary>
internal sealed record ForgottenMarker(DateTimeOffset Time, IReadOnlyList<ObjectId> Snapshots)
{
    public const int FormatVersion = 1;

    public const string Prefix = "forgotten/";

    private const string TimeFormat = "yyyy-MM-ddTHH:mm:ss.fffffffZ";

    public static string Name(ObjectId id) => Prefix + id;

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(
        new ForgottenDocument
        {
            Version = FormatVersion,
            Time = Time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture),
            Snapshots = [.. Snapshots.Select(s => s.ToString())],
        },
        ForgottenJsonContext.Default.ForgottenDocument);

    public static ForgottenMarker Parse(ReadOnlySpan<byte> json)
    {
        ForgottenDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, ForgottenJsonContext.Default.ForgottenDocument);
        }
        catch (JsonException ex)
        {
            throw new RepositoryFormatException("A forgotten marker is not valid JSON.", ex);
        }

        if (document is null || document.Version != FormatVersion)
        {
            throw new RepositoryFormatException($"A forgotten marker has version {document?.Version}; this ztdr reads version {FormatVersion}. Upgrade ztdr.");
        }

        if (!DateTimeOffset.TryParseExact(document.Time, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            throw new RepositoryFormatException($"A forgotten marker has an unreadable time '{document.Time}'.");
        }

        var snapshots = new List<ObjectId>();
        foreach (var text in document.Snapshots ?? [])
        {
            snapshots.Add(ObjectId.TryParse(text, out var id) ? id : throw new RepositoryFormatException($"A forgotten marker names '{text}', which is not a snapshot id."));
        }

        return new ForgottenMarker(time, snapshots);
    }
}

internal sealed class ForgottenDocument
{
    public int Version { get; set; }

    public string? Time { get; set; }

    public List<string>? Snapshots { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ForgottenDocument))]
internal sealed partial class ForgottenJsonContext : JsonSerializerContext;
