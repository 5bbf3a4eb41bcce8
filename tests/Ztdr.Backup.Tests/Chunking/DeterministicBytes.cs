using System.Buffers.Binary;

namespace Ztdr.Backup.Tests.Chunking;

/// <summary>
/// SplitMix64 bytes: the same on every runtime and machine, unlike System.Random, so golden tests can be rebuilt from the
/// seed alone (each 64-bit output written little-endian).
/// </summary>
internal sealed class DeterministicBytes(ulong seed)
{
    private ulong _state = seed;

    public static byte[] Generate(ulong seed, int length)
    {
        var bytes = new byte[length];
        new DeterministicBytes(seed).Fill(bytes);
        return bytes;
    }

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public int NextInt(int maxExclusive) => (int)(Next() % (ulong)maxExclusive);

    public void Fill(Span<byte> destination)
    {
        Span<byte> word = stackalloc byte[8];
        for (var i = 0; i < destination.Length; i += 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(word, Next());
            word[..Math.Min(8, destination.Length - i)].CopyTo(destination[i..]);
        }
    }
}
