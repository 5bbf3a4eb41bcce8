using Ztdr.Backup.Packing;

namespace Ztdr.Backup.Verifying;

/// <summary>
/// A pack read front to back from one stream, holding only the bytes still asked for: <c>--read-data</c> checks a pack
/// a blob at a time as it arrives, so a worker holds about one blob (and at the end the trailer), not the whole pack.
/// Offsets are the pack's. Reused from pack to pack, its buffer grows to the largest span ever held and stays. Not
/// thread-safe: one per worker.
/// </summary>
internal sealed class PackWindow(long maxLength = PackWriter.MaxPackLength, int initialCapacity = PackWindow.InitialCapacity)
{
    /// <summary>About one average chunk (1 MiB) and its sealing overhead; larger blobs grow it.</summary>
    public const int InitialCapacity = (1024 * 1024) + (64 * 1024);

    /// <summary>
    /// Reads are at least this long, so small blobs (trees) cost one read per many blobs; the bytes read past a blob
    /// are the most that is ever moved down when the window slides.
    /// </summary>
    internal const int MinRead = 64 * 1024;

    private byte[] _buffer = new byte[initialCapacity];
    private Stream? _stream;
    private string _name = "";
    private long _start;
    private int _filled;

    /// <summary>Bytes read from the stream so far: once <see cref="Ended"/>, the pack's length.</summary>
    public long Position => _start + _filled;

    /// <summary>The offset of the first byte still held.</summary>
    public long Start => _start;

    /// <summary>Whether the stream has no more bytes.</summary>
    public bool Ended { get; private set; }

    /// <summary>The bytes the buffer can hold before it grows (tests watch that it stays near one blob).</summary>
    internal int Capacity => _buffer.Length;

    /// <summary>Starts on the pack stored as <paramref name="name"/>, read from <paramref name="stream"/> (which the caller disposes).</summary>
    public void Begin(Stream stream, string name)
    {
        _stream = stream;
        _name = name;
        _start = 0;
        _filled = 0;
        Ended = false;
    }

    /// <summary>
    /// Reads until the window holds the pack's bytes [<paramref name="from"/>, <paramref name="end"/>) or the stream
    /// ends, first letting go of every byte before <paramref name="from"/> (none is asked for again: offsets only grow).
    /// Returns whether all of them are held. <c>long.MaxValue</c> as <paramref name="end"/> reads to the stream's end.
    /// </summary>
    /// <exception cref="RepositoryFormatException">The stream holds more than any pack can.</exception>
    public async ValueTask<bool> FillAsync(long from, long end, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(from, _start);
        ArgumentOutOfRangeException.ThrowIfLessThan(end, from);
        var stream = _stream ?? throw new InvalidOperationException("Begin a pack first.");
        while (Position < end && !Ended)
        {
            Slide(from);
            if (_filled == _buffer.Length)
            {
                Grow();
            }

            var free = _buffer.Length - _filled;
            var request = (int)Math.Min(free, Math.Max(end - Position, MinRead));
            var read = await stream.ReadAsync(_buffer.AsMemory(_filled, request), cancellationToken);
            if (read == 0)
            {
                Ended = true;
                break;
            }

            _filled += read;
            if (Position > maxLength)
            {
                throw new RepositoryFormatException($"Pack {_name} is larger than any pack can be ({maxLength} bytes).");
            }
        }

        return Position >= end;
    }

    /// <summary>Held bytes [<paramref name="offset"/>, offset + <paramref name="length"/>); writable, so a blob can be opened in place.</summary>
    public Span<byte> Span(long offset, int length) => _buffer.AsSpan(Index(offset, length), length);

    /// <inheritdoc cref="Span"/>
    public Memory<byte> Memory(long offset, int length) => _buffer.AsMemory(Index(offset, length), length);

    /// <summary>Whether [<paramref name="offset"/>, offset + <paramref name="length"/>) is held.</summary>
    public bool Holds(long offset, int length) => offset >= _start && length >= 0 && offset + length <= Position;

    /// <summary>Lets go of the stream (not disposing it) once a pack is done.</summary>
    public void End() => _stream = null;

    private int Index(long offset, int length)
    {
        if (!Holds(offset, length))
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"Bytes {offset}..{offset + length} are not held (holding {_start}..{Position}).");
        }

        return (int)(offset - _start);
    }

    /// <summary>Moves what is still wanted, at most one partly read blob and a read's overshoot, to the buffer's start.</summary>
    private void Slide(long from)
    {
        var drop = (int)(Math.Min(from, Position) - _start);
        if (drop <= 0)
        {
            return;
        }

        Buffer.BlockCopy(_buffer, drop, _buffer, 0, _filled - drop);
        _start += drop;
        _filled -= drop;
    }

    private void Grow()
    {
        // Never past what a pack can hold, plus the one byte that proves a stream longer than that.
        var capacity = (int)Math.Min((long)_buffer.Length * 2, maxLength + 1);
        if (capacity <= _buffer.Length)
        {
            throw new RepositoryFormatException($"Pack {_name} is larger than any pack can be ({maxLength} bytes).");
        }

        var grown = new byte[capacity];
        Buffer.BlockCopy(_buffer, 0, grown, 0, _filled);
        _buffer = grown;
    }
}
