using System.Globalization;
using System.Text.Json;
using Ztdr.Vault.Locking;

namespace Ztdr.Vault.Storage;

/// <summary>
/// Keeps the secure clock's trusted time in one small JSON file (<c>meta/clock.json</c>, format version 1):
/// <c>{"version":1,"trustedTime":"…","wallTimeAtSave":"…"}</c>, times in UTC with all seven fraction digits so a round
/// trip loses nothing (losing a fraction would move trusted time backwards). Written atomically and durably through
/// <see cref="DurableFile"/>, owner read/write only.
/// A missing file loads as null; a file that exists but is not exactly such a record throws
/// <see cref="InvalidDataException"/>, which the clock treats as untrusted.
/// </summary>
public sealed class FileTrustedTimeStore : ITrustedTimeStore
{
    public const string FileName = "clock.json";

    public const int FormatVersion = 1;

    /// <summary>Files this small are all a record can be; a larger one is not ours and is not read whole.</summary>
    private const int MaxBytes = 4096;

    private const string TimeFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff'Z'";

    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public FileTrustedTimeStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    public string Path { get; }

    /// <summary>The store of the vault laid out by <paramref name="layout"/>: <c>meta/clock.json</c>.</summary>
    public static FileTrustedTimeStore In(VaultLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return new FileTrustedTimeStore(System.IO.Path.Combine(layout.MetadataDirectory, FileName));
    }

    public TrustedTimeRecord? Load()
    {
        byte[] content;
        try
        {
            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > MaxBytes)
            {
                throw Corrupt($"it is {stream.Length} bytes, larger than any record");
            }

            content = new byte[stream.Length];
            stream.ReadExactly(content);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        return Parse(content);
    }

    public void Save(TrustedTimeRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        DurableFile.Write(Path, Serialize(record), OwnerReadWrite, overwrite: true);
    }

    internal static byte[] Serialize(TrustedTimeRecord record)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", FormatVersion);
            writer.WriteString("trustedTime", Format(record.TrustedTime));
            writer.WriteString("wallTimeAtSave", Format(record.WallTimeAtSave));
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private TrustedTimeRecord Parse(byte[] content)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Corrupt("it is not a JSON object");
            }

            if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number
                || !version.TryGetInt32(out var number) || number != FormatVersion)
            {
                throw Corrupt($"it is not format version {FormatVersion}");
            }

            return new TrustedTimeRecord(Time(root, "trustedTime"), Time(root, "wallTimeAtSave"));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The trusted time file '{Path}' is damaged: it is not JSON.", e);
        }
    }

    private DateTimeOffset Time(JsonElement root, string name)
    {
        if (root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String
            && DateTime.TryParseExact(element.GetString(), TimeFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value))
        {
            return new DateTimeOffset(value, TimeSpan.Zero);
        }

        throw Corrupt($"'{name}' is missing or not a UTC time");
    }

    private static string Format(DateTimeOffset value) => value.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private InvalidDataException Corrupt(string why) => new($"The trusted time file '{Path}' is damaged: {why}.");
}
