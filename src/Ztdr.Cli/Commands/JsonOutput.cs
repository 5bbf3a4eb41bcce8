using System.Text.Json;

namespace Ztdr.Cli.Commands;

/// <summary>What the commands' <c>--json</c> writers share.</summary>
internal static class JsonOutput
{
    /// <summary>Writes <c>"name": ["value", …]</c>.</summary>
    public static void WriteStrings(this Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
