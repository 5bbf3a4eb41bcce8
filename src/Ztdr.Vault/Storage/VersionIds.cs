using System.Security.Cryptography;

namespace Ztdr.Vault.Storage;

/// <summary>
/// Version and upload ids: 26 characters of Crockford base32 (48-bit millisecond time, 80 random bits), URL-safe and
/// unguessable. Ordering of versions never depends on them (the store's sequence does that).
/// </summary>
internal static class VersionIds
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string New(DateTimeOffset now)
    {
        Span<byte> bytes = stackalloc byte[16];
        var ms = (ulong)now.ToUnixTimeMilliseconds();
        for (var i = 0; i < 6; i++)
        {
            bytes[i] = (byte)(ms >> (8 * (5 - i)));
        }

        RandomNumberGenerator.Fill(bytes[6..]);
        Span<char> chars = stackalloc char[26];
        var value = new UInt128(BitConverter.ToUInt64(Reverse(bytes[..8])), BitConverter.ToUInt64(Reverse(bytes[8..])));
        for (var i = 25; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }

        return new string(chars);
    }

    /// <summary>True for ids this vault could have issued, or "null": anything else is refused before a lookup.</summary>
    public static bool IsWellFormed(string versionId) =>
        versionId == ObjectVersion.NullVersionId
        || (versionId.Length == 26 && versionId.All(c => Alphabet.Contains(c, StringComparison.Ordinal)));

    private static byte[] Reverse(ReadOnlySpan<byte> bigEndian)
    {
        var copy = bigEndian.ToArray();
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(copy);
        }

        return copy;
    }
}
