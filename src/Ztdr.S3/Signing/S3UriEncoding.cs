using System.Text;

namespace Ztdr.S3.Signing;

/// <summary>
/// SigV4's URI encoding as S3 applies it: every byte except unreserved A-Z a-z 0-9 - _ . ~
/// becomes %XX with upper-case hex, and '/' is kept only in paths. Works on bytes so that a
/// key which is not valid UTF-8 still round-trips exactly (no U+FFFD substitution).
/// </summary>
internal static class S3UriEncoding
{
    private const string HexDigits = "0123456789ABCDEF";

    public static string Encode(string value, bool encodeSlash) => Encode(Encoding.UTF8.GetBytes(value), encodeSlash);

    public static string Encode(ReadOnlySpan<byte> bytes, bool encodeSlash)
    {
        var builder = new StringBuilder(bytes.Length + 8);
        foreach (var b in bytes)
        {
            if (IsUnreserved(b) || (b == (byte)'/' && !encodeSlash))
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(HexDigits[b >> 4]).Append(HexDigits[b & 0xF]);
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Percent-decodes once, to bytes. Characters that are not ASCII count as their UTF-8 bytes.
    /// A '%' not followed by two hex digits is kept literally: the request is then signed over
    /// whatever the client meant, and the raw-path fallback still covers clients that sent it bare.
    /// </summary>
    public static byte[] Decode(string raw, bool plusIsSpace)
    {
        var input = Encoding.UTF8.GetBytes(raw);
        var output = new byte[input.Length];
        var length = 0;
        for (var i = 0; i < input.Length; i++)
        {
            var b = input[i];
            if (b == (byte)'%' && i + 2 < input.Length && TryHex(input[i + 1], out var high) && TryHex(input[i + 2], out var low))
            {
                output[length++] = (byte)((high << 4) | low);
                i += 2;
            }
            else if (b == (byte)'+' && plusIsSpace)
            {
                output[length++] = (byte)' ';
            }
            else
            {
                output[length++] = b;
            }
        }

        return output.AsSpan(0, length).ToArray();
    }

    /// <summary>Decoded text for lookups (parameter names, credentials); invalid UTF-8 becomes U+FFFD.</summary>
    public static string DecodeToString(string raw, bool plusIsSpace) => Encoding.UTF8.GetString(Decode(raw, plusIsSpace));

    private static bool IsUnreserved(byte b) =>
        b is >= (byte)'A' and <= (byte)'Z'
            or >= (byte)'a' and <= (byte)'z'
            or >= (byte)'0' and <= (byte)'9'
            or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~';

    private static bool TryHex(byte b, out int value)
    {
        value = b switch
        {
            >= (byte)'0' and <= (byte)'9' => b - '0',
            >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
            >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
