using System.Collections.Concurrent;

namespace Ztdr.Backup.Restoring;

/// <summary>
/// The buffers one restore worker uses for a window: the sealed bytes read, and the compression unit and raw bytes of
/// the blob being opened. A worker takes a set for each window and gives it back, so a restore of gigabytes allocates
/// each buffer once per worker, grown to the largest window and blob it has seen, instead of a fresh array per window
/// and two per blob (megabytes each on the large object heap: a fifth of the CPU went to page faults on fresh memory
/// and to background GC). Sets are never shared while taken; at most one exists per worker that ran at once.
/// </summary>
internal sealed class WindowBuffers
{
    // Growth in whole mebibytes, so a buffer is reallocated a few times at most, not for every slightly larger blob.
    private const int Granule = 1024 * 1024;

    private byte[] _window = [];
    private byte[] _unit = [];
    private byte[] _raw = [];

    /// <summary>A buffer of at least <paramref name="length"/> bytes for a window's sealed bytes.</summary>
    public byte[] Window(int length) => Sized(ref _window, length);

    /// <summary>A buffer of at least <paramref name="length"/> bytes for a blob's compression unit.</summary>
    public byte[] Unit(int length) => Sized(ref _unit, length);

    /// <summary>A buffer of at least <paramref name="length"/> bytes for a blob's raw bytes.</summary>
    public byte[] Raw(int length) => Sized(ref _raw, length);

    private static byte[] Sized(ref byte[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new byte[(int)Math.Min(Array.MaxLength, ((long)length + Granule - 1) / Granule * Granule)];
        }

        return buffer;
    }

    /// <summary>The sets of a restore's workers: taken for a window, given back after it.</summary>
    public sealed class Pool
    {
        private readonly ConcurrentBag<WindowBuffers> _free = [];

        public WindowBuffers Take() => _free.TryTake(out var buffers) ? buffers : new WindowBuffers();

        public void Give(WindowBuffers buffers) => _free.Add(buffers);
    }
}
