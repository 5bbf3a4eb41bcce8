using System.Text;

namespace Ztdr.S3.Tests.Properties;

/// <summary>
/// Building blocks of generated hostile input, drawn from one <see cref="Random"/> so that a case is reproduced by its
/// seed alone: awkward text, byte-level mutations of a valid document, and the classic payloads (DTDs, entities,
/// invalid UTF-8, NUL).
/// </summary>
internal static class HostileBytes
{
    /// <summary>Snippets that have broken real parsers: entity tricks, encodings, NUL, overlong and lone-surrogate UTF-8.</summary>
    public static readonly byte[][] Snippets =
    [
        "<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>"u8.ToArray(),
        "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"u8.ToArray(),
        "<!DOCTYPE r [<!ENTITY % p SYSTEM \"http://127.0.0.1:1/e.dtd\"> %p;]>"u8.ToArray(),
        "<!DOCTYPE r SYSTEM \"file:///etc/hostname\">"u8.ToArray(),
        "&x;"u8.ToArray(),
        "&c;"u8.ToArray(),
        "&#0;"u8.ToArray(),
        "&#xD800;"u8.ToArray(),
        "&#x110000;"u8.ToArray(),
        "&#99999999999999999999;"u8.ToArray(),
        "&lt;"u8.ToArray(),
        "<![CDATA[x]]>"u8.ToArray(),
        "<?pi x?>"u8.ToArray(),
        "<!-- c -->"u8.ToArray(),
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?>"u8.ToArray(),
        "<?xml version=\"1.0\" encoding=\"no-such-encoding\"?>"u8.ToArray(),
        "<?xml version=\"1.1\"?>"u8.ToArray(),
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"u8.ToArray(),
        "<?xml version=\"1.0\" encoding=\"UTF-32\"?>"u8.ToArray(),
        "<?xml version=\"1.0\" encoding=\"EBCDIC-CP-US\"?>"u8.ToArray(),
        "xmlns=\"urn:other\""u8.ToArray(),
        " xmlns:p=\"http://s3.amazonaws.com/doc/2006-03-01/\" "u8.ToArray(),
        "<p:Part>"u8.ToArray(),
        "</Part>"u8.ToArray(),
        "<Part><PartNumber>1</PartNumber><ETag>e</ETag></Part>"u8.ToArray(),
        "<Object><Key>k</Key></Object>"u8.ToArray(),
        "<Mode>COMPLIANCE</Mode>"u8.ToArray(),
        "<Days>1</Days><Years>1</Years>"u8.ToArray(),
        "99999999999999999999"u8.ToArray(),
        "-2147483649"u8.ToArray(),
        "2147483647"u8.ToArray(),
        "\u0661\u0662"u8.ToArray(),
        "1e3"u8.ToArray(),
        [0x00],
        [0x00, 0x00, 0x00],
        [0xFF],
        [0xFE, 0xFF],
        [0xEF, 0xBB, 0xBF],
        [0xC3, 0x28],
        [0xC0, 0xAF],
        [0xED, 0xA0, 0x80],
        [0xF4, 0x90, 0x80, 0x80],
        [0xF0, 0x9F, 0x92],
        [0x1B],
        [0x0D],
        [0x0B, 0x0C],
    ];

    private static readonly string[] TextPieces =
    [
        "a", "Z", "0", " ", "  ", "\t", "\n", "\r", "\r\n", "/", "//", "..", "./", "%", "%2F", "%00", "+", "?", "#", "&", "<", ">",
        "\"", "'", "]]>", "é", "中", "\u00A0", "\u200B", "\uFEFF", "😀", "\\", "~", "*", "=", ";", ",",
    ];

    /// <summary>1 to <paramref name="maxPieces"/> pieces of text that XML can carry (no control characters, no lone surrogates).</summary>
    public static string XmlSafeText(Random random, int maxPieces)
    {
        var builder = new StringBuilder();
        var pieces = random.Next(1, maxPieces + 1);
        for (var i = 0; i < pieces; i++)
        {
            builder.Append(random.Next(4) == 0 ? ((char)random.Next(0x20, 0x7F)).ToString() : TextPieces[random.Next(TextPieces.Length)]);
        }

        return builder.ToString();
    }

    /// <summary>Anywhere from one to a dozen edits: flips, cuts, duplications, insertions of random or hostile bytes.</summary>
    public static byte[] Mutate(Random random, byte[] document)
    {
        var bytes = new List<byte>(document);
        var edits = random.Next(1, 13);
        for (var i = 0; i < edits; i++)
        {
            var at = random.Next(bytes.Count + 1);
            switch (random.Next(8))
            {
                case 0 when at < bytes.Count:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when at < bytes.Count:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 16)));
                    break;
                case 2:
                    bytes.InsertRange(at, Snippets[random.Next(Snippets.Length)]);
                    break;
                case 3:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(XmlSafeText(random, 4)));
                    break;
                case 4 when at < bytes.Count:
                    var length = Math.Min(bytes.Count - at, random.Next(1, 64));
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
                case 5:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 6 when at < bytes.Count:
                    bytes[at] = (byte)random.Next(256);
                    break;
                default:
                    bytes.InsertRange(at, RandomBytes(random, 8));
                    break;
            }
        }

        return [.. bytes];
    }

    public static byte[] RandomBytes(Random random, int maxLength)
    {
        var bytes = new byte[random.Next(maxLength + 1)];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Latin-1 view of the first bytes of an input, for a failure message.</summary>
    public static string Preview(byte[] bytes, int max = 400) =>
        Encoding.Latin1.GetString(bytes, 0, Math.Min(bytes.Length, max)) + (bytes.Length > max ? $"… ({bytes.Length} bytes)" : string.Empty);
}
