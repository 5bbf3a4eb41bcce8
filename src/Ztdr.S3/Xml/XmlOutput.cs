using System.Text;
using System.Xml;

namespace Ztdr.S3.Xml;

/// <summary>
/// How every S3 document is written: UTF-8 without BOM, the declaration exactly as AWS spells it
/// (<c>encoding="UTF-8"</c>, which XmlWriter would lower-case), no indentation, no xsi/xsd noise.
/// </summary>
internal static class XmlOutput
{
    private static readonly byte[] Declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"u8.ToArray();

    private static readonly XmlWriterSettings Settings = new()
    {
        Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        OmitXmlDeclaration = true,
        Indent = false,
        // A key may contain CR; written raw, every XML reader would normalise it to LF and the client
        // would see a different key. Entitize writes it as &#xD; so it survives.
        NewLineHandling = NewLineHandling.Entitize,
        CloseOutput = false,
    };

    public static byte[] ToBytes<T>(T value, Action<XmlWriter, T> writeBody)
    {
        using var buffer = new MemoryStream();
        Write(buffer, value, writeBody);
        return buffer.ToArray();
    }

    public static void Write<T>(Stream stream, T value, Action<XmlWriter, T> writeBody)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(value);
        stream.Write(Declaration);
        using var writer = XmlWriter.Create(stream, Settings);
        writeBody(writer, value);
    }

    /// <summary>Opens a result document's root element in the S3 namespace; children inherit it.</summary>
    public static void StartRoot(this XmlWriter writer, string name) => writer.WriteStartElement(name, S3Xml.Namespace);

    /// <summary>
    /// Writes <c>&lt;name&gt;value&lt;/name&gt;</c>, always with an end tag (AWS writes <c>&lt;Prefix&gt;&lt;/Prefix&gt;</c>,
    /// not <c>&lt;Prefix /&gt;</c>). Characters XML 1.0 cannot carry become U+FFFD: see <see cref="Sanitize"/>.
    /// </summary>
    public static void Element(this XmlWriter writer, string name, string value)
    {
        writer.WriteStartElement(name);
        writer.WriteString(Sanitize(value));
        writer.WriteFullEndElement();
    }

    public static void OptionalElement(this XmlWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.Element(name, value);
        }
    }

    public static void Element(this XmlWriter writer, string name, long value) =>
        writer.Element(name, value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static void Element(this XmlWriter writer, string name, bool value) => writer.Element(name, value ? "true" : "false");

    public static void Timestamp(this XmlWriter writer, string name, DateTimeOffset value) =>
        writer.Element(name, S3Xml.FormatTimestamp(value));

    /// <summary>ETags travel quoted in XML; a value that already carries its quotes is not quoted twice.</summary>
    public static void ETag(this XmlWriter writer, string value) => writer.Element("ETag", QuoteETag(value));

    public static void Owner(this XmlWriter writer, string name, S3Owner owner)
    {
        writer.WriteStartElement(name);
        writer.Element("ID", owner.Id);
        writer.OptionalElement("DisplayName", owner.DisplayName);
        writer.WriteFullEndElement();
    }

    public static void ChecksumValues(this XmlWriter writer, S3Checksums? checksums)
    {
        if (checksums is null)
        {
            return;
        }

        writer.OptionalElement("ChecksumCRC32", checksums.Crc32);
        writer.OptionalElement("ChecksumCRC32C", checksums.Crc32C);
        writer.OptionalElement("ChecksumCRC64NVME", checksums.Crc64Nvme);
        writer.OptionalElement("ChecksumSHA1", checksums.Sha1);
        writer.OptionalElement("ChecksumSHA256", checksums.Sha256);
    }

    public static string QuoteETag(string value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value : "\"" + value + "\"";

    /// <summary>True when <paramref name="value"/> holds a character (or lone surrogate) XML 1.0 cannot represent.</summary>
    public static bool HasNonXmlChars(string? value)
    {
        if (value is null)
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (!XmlConvert.IsXmlChar(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Replaces characters XML 1.0 cannot carry with U+FFFD. Listings never reach this with such keys (they switch
    /// to url encoding, see <see cref="ListingXmlWriter"/>); in every other document the text is informational
    /// (an error's Key, an upload's Key echoed back) and a readable document beats a response no client can parse.
    /// </summary>
    private static string Sanitize(string value)
    {
        if (!HasNonXmlChars(value))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                builder.Append(c).Append(value[++i]);
            }
            else
            {
                builder.Append(XmlConvert.IsXmlChar(c) ? c : '\uFFFD');
            }
        }

        return builder.ToString();
    }
}
