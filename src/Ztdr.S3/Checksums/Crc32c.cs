using System.Buffers.Binary;
using System.Runtime.InteropServices;
using ArmCrc32 = System.Runtime.Intrinsics.Arm.Crc32;
using X86Sse42 = System.Runtime.Intrinsics.X86.Sse42;

namespace Ztdr.S3.Checksums;

/// <summary>
/// CRC-32C (Castagnoli; reflected polynomial 0x82F63B78, init and xorout all ones), which System.IO.Hashing
/// 10.0 does not offer. Uses the SSE4.2 / ARMv8 CRC instructions when present, slicing-by-8 tables otherwise.
/// </summary>
/// <remarks>
/// <see cref="Update"/> works on the raw register (not inverted): start from <see cref="InitialState"/>
/// and finish with <see cref="Finish"/>, so a digest can be extended chunk by chunk.
/// </remarks>
internal static class Crc32c
{
    public const uint InitialState = 0xFFFFFFFFu;
    private const uint ReflectedPolynomial = 0x82F63B78u;

    // Table[k * 256 + b]: the slicing-by-8 tables, 8 KiB, built once.
    private static readonly uint[] Table = BuildTable();

    public static uint Finish(uint state) => ~state;

    public static uint Hash(ReadOnlySpan<byte> data) => Finish(Update(InitialState, data));

    public static uint Update(uint state, ReadOnlySpan<byte> data)
    {
        if (X86Sse42.X64.IsSupported)
        {
            ulong wide = state;
            while (data.Length >= 8)
            {
                wide = X86Sse42.X64.Crc32(wide, MemoryMarshal.Read<ulong>(data));
                data = data[8..];
            }

            state = (uint)wide;
            foreach (var b in data)
            {
                state = X86Sse42.Crc32(state, b);
            }

            return state;
        }

        if (X86Sse42.IsSupported)
        {
            while (data.Length >= 4)
            {
                state = X86Sse42.Crc32(state, MemoryMarshal.Read<uint>(data));
                data = data[4..];
            }

            foreach (var b in data)
            {
                state = X86Sse42.Crc32(state, b);
            }

            return state;
        }

        if (ArmCrc32.Arm64.IsSupported)
        {
            while (data.Length >= 8)
            {
                state = ArmCrc32.Arm64.ComputeCrc32C(state, MemoryMarshal.Read<ulong>(data));
                data = data[8..];
            }

            foreach (var b in data)
            {
                state = ArmCrc32.ComputeCrc32C(state, b);
            }

            return state;
        }

        if (ArmCrc32.IsSupported)
        {
            while (data.Length >= 4)
            {
                state = ArmCrc32.ComputeCrc32C(state, MemoryMarshal.Read<uint>(data));
                data = data[4..];
            }

            foreach (var b in data)
            {
                state = ArmCrc32.ComputeCrc32C(state, b);
            }

            return state;
        }

        return UpdateWithTables(state, data);
    }

    /// <summary>The portable path; internal so tests can check it against the hardware path.</summary>
    internal static uint UpdateWithTables(uint state, ReadOnlySpan<byte> data)
    {
        var t = Table;
        while (data.Length >= 8)
        {
            // Reflected CRC: the register consumes bytes least-significant first, hence little-endian reads.
            var lo = state ^ BinaryPrimitives.ReadUInt32LittleEndian(data);
            var hi = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            state = t[(7 * 256) + (lo & 0xFF)] ^ t[(6 * 256) + ((lo >> 8) & 0xFF)]
                ^ t[(5 * 256) + ((lo >> 16) & 0xFF)] ^ t[(4 * 256) + (lo >> 24)]
                ^ t[(3 * 256) + (hi & 0xFF)] ^ t[(2 * 256) + ((hi >> 8) & 0xFF)]
                ^ t[256 + ((hi >> 16) & 0xFF)] ^ t[hi >> 24];
            data = data[8..];
        }

        foreach (var b in data)
        {
            state = t[(state ^ b) & 0xFF] ^ (state >> 8);
        }

        return state;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
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
                table[(k * 256) + i] = (previous >> 8) ^ table[previous & 0xFF];
            }
        }

        return table;
    }
}
