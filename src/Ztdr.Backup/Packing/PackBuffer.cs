using System.Collections.Concurrent;

namespace Ztdr.Backup.Packing;

/// <summary>
/// A pack's bytes while it is built and uploaded: one array, taken from a small pool of pack-sized arrays when one
/// fits, grown by copying only when a last blob carries the pack past it. A <see cref="MemoryStream"/> doubled its
/// array (32 MiB for a 16 MiB pack) and <c>ToArray</c> copied the pack once more for the upload; with two packs
/// uploading and one filling that was most of a first backup's peak memory (issue 14).
/// </summary>
/// <remarks>Not thread-safe; the pool is. The memory <see cref="Written"/> hands out is valid until <see cref="Dispose"/>.</remarks>
internal sealed class PackBuffer : IDisposable
{
    /// <summary>Arrays kept for the next packs: enough for the packs uploading at once and the one filling.</summary>
    private const int PoolLimit = 4;

    private static readonly ConcurrentBag<byte[]> Pool = [];

    private byte[] _array;
    private int _length;

    /// <param name="capacity">What the pack will most likely need: its target size plus room for a last large blob.</param>
    public PackBuffer(int capacity) => _array = Rent(capacity);

    public int Length => _length;

    /// <summary>The bytes written so far, without a copy.</summary>
    public ReadOnlyMemory<byte> Written => _array.AsMemory(0, _length);

    /// <summary>The next <paramref name="count"/> bytes of the pack, to be filled by the caller (sealing writes in place).</summary>
    public Span<byte> Append(int count)
    {
        if (_length + count > _array.Length)
        {
            var grown = new byte[Math.Max(_length + count, _array.Length + (_array.Length / 2))];
            _array.AsSpan(0, _length).CopyTo(grown);
            Return(_array);
            _array = grown;
        }

        var span = _array.AsSpan(_length, count);
        _length += count;
        return span;
    }

    public void Write(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Append(bytes.Length));

    public void Dispose()
    {
        Return(_array);
        _array = [];
        _length = 0;
    }

    // A pooled array at least as large as asked and not more than twice it (a small tree pack must not hold a data pack's array).
    private static byte[] Rent(int capacity)
    {
        for (var tries = 0; tries < PoolLimit && Pool.TryTake(out var array); tries++)
        {
            if (array.Length >= capacity && array.Length <= 2 * (long)capacity)
            {
                return array;
            }

            Pool.Add(array);
        }

        return new byte[capacity];
    }

    private static void Return(byte[] array)
    {
        // Only large arrays are worth keeping: a small one costs nothing to allocate again.
        if (array.Length >= 1024 * 1024 && Pool.Count < PoolLimit)
        {
            Pool.Add(array);
        }
    }
}
