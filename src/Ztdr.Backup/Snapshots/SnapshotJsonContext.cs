using System.Text.Json.Serialization;

namespace Ztdr.Backup.Snapshots;

/// <summary>JSON of trees and snapshots (§ 9): camelCase, no indentation, absent optional fields left out.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(BlobIdJsonConverter)])]
[JsonSerializable(typeof(TreeDocument))]
[JsonSerializable(typeof(SnapshotDocument))]
internal sealed partial class SnapshotJsonContext : JsonSerializerContext;
