using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ztdr.Cli.Output;

/// <summary>
/// Every time in <c>--json</c>: ISO 8601 in UTC with <c>Z</c> and seven fraction digits, as the repository's own
/// objects store them (repository-format.md). A fixed width means times sort as text (<c>sort</c>, jq's string
/// comparison) and never depend on the host's zone; the default would write the offset (<c>+00:00</c>) instead.
/// </summary>
internal sealed class UtcTimeJsonConverter : JsonConverter<DateTimeOffset>
{
    public const string Format = "yyyy-MM-ddTHH:mm:ss.fffffffZ";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.ParseExact(reader.GetString()!, Format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
}
