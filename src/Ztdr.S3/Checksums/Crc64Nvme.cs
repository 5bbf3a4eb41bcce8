using System.Buffers.Binary;

namespace Ztdr.S3.Checksums;

/// <summary>
/// CRC-64/NVME (reflected polynomial 0x9A6C9329AC4BC9B5, init and xorout all ones), the algorithm S3 calls
/// CRC64NVME. System.IO.Hashing's Crc64 is the ECMA-182 variant and does not match, so this is slicing-by-8.
/// </summary>
/// <remarks>
/// <see cref="Update"/> works on the raw register: start from <see cref="InitialState"/>, finish with <see cref="Finish"/>.
/// </remarks>
internal static class Crc64Nvme
{
    public const ulong InitialState = ulong.MaxValue;
    private const ulong ReflectedPolynomial = 0x9A6C9329AC4BC9B5ul;

    // Table[k * 256 + b]: the slicing-by-8 tables, 16 KiB, built once.
    private static readonly ulong[] Table = BuildTable();

    public static ulong Finish(ulong state) => ~state;

    public static ulong Hash(ReadOnlySpan<byte> data) => Finish(Update(InitialState, data));

    public static ulong Update(ulong state, ReadOnlySpan<byte> data)
    {
        var t = Table;
        while (data.Length >= 8)
        {
            var x = state ^ BinaryPrimitives.ReadUInt64LittleEndian(data);
            state = t[(7 * 256) + (int)(x & 0xFF)] ^ t[(6 * 256) + (int)((x >> 8) & 0xFF)]
                ^ t[(5 * 256) + (int)((x >> 16) & 0xFF)] ^ t[(4 * 256) + (int)((x >> 24) & 0xFF)]
                ^ t[(3 * 256) + (int)((x >> 32) & 0xFF)] ^ t[(2 * 256) + (int)((x >> 40) & 0xFF)]
                ^ t[256 + (int)((x >> 48) & 0xFF)] ^ t[(int)(x >> 56)];
            data = data[8..];
        }

        foreach (var b in data)
        {
            state = t[(int)((state ^ b) & 0xFF)] ^ (state >> 8);
        }

        return state;
    }

    private static ulong[] BuildTable()
    {
        var table = new ulong[8 * 256];
        for (ulong i = 0; i < 256; i++)
        {
            var crc = i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ ReflectedPolynomial : crc >> 1;
            }

            table[i] = crc;
        }

        for (var k = 1; k < 8; k++)
        {
            for (var i = 0; i < 256; i++)
            {
                var previous = table[((k - 1) * 256) + i];
                table[(k * 256) + i] = (previous >> 8) ^ table[(int)(previous & 0xFF)];
            }
        }

        return table;
    }
}
