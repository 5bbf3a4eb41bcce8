using System.Text;

namespace Ztdr.S3.Xml;

/// <summary>
/// The <c>encoding-type=url</c> encoding of keys, prefixes, delimiters and markers in listings.
/// </summary>
/// <remarks>
/// botocore decodes these values with <c>unquote_plus</c>, so a literal '+' must travel as <c>%2B</c>
/// (else it comes back as a space) and a space as <c>%20</c>. Everything except the RFC 3986 unreserved
/// set and '/' is percent-encoded from its UTF-8 bytes with upper-case hex, which every client's decoder accepts.
/// </remarks>
public static class S3UrlEncoding
{
    private const string Hex = "0123456789ABCDEF";

    public static string Encode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.All(IsUnencoded))
        {
            return value;
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        var builder = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b < 0x80 && IsUnencoded((char)b))
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(Hex[b >> 4]).Append(Hex[b & 0xF]);
            }
        }

        return builder.ToString();
    }

    private static bool IsUnencoded(char c) =>
        c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~' or '/';
}
