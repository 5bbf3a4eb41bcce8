using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Ztdr.Backup.Chunking;

/// <summary>
/// The 256 gear values of the rolling hash: G[i] = first 8 bytes, little-endian, of SHA-256("ztdr/v1/fastcdc-gear" || i)
/// (repository-format.md § 10). Derived, not pasted, so anyone can re-create it; frozen by a golden test because
/// changing one value moves chunk boundaries and ends deduplication against every existing repository.
/// </summary>
internal static class GearTable
{
    public static readonly ulong[] Values = Derive();

    private static ulong[] Derive()
    {
        var label = "ztdr/v1/fastcdc-gear"u8;
        Span<byte> input = stackalloc byte[label.Length + 1];
        label.CopyTo(input);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        var values = new ulong[256];
        for (var i = 0; i < values.Length; i++)
        {
            input[^1] = (byte)i;
            SHA256.HashData(input, digest);
            values[i] = BinaryPrimitives.ReadUInt64LittleEndian(digest);
        }

        return values;
    }
}
