using System.Text.Json;
using System.Text.Json.Serialization;
using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Snapshots;

/// <summary>A blob id in JSON: 64 lowercase hex digits (repository-format.md conventions).</summary>
internal sealed class BlobIdJsonConverter : JsonConverter<BlobId>
{
    public override BlobId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        BlobId.TryParse(reader.GetString(), out var id)
            ? id
            : throw new JsonException("A blob id must be 64 lowercase hex digits.");

    public override void Write(Utf8JsonWriter writer, BlobId value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
