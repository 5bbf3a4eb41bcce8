using System.Buffers;

namespace Ztdr.Backup.Chunking;

/// <summary>
/// Cuts a stream into content-defined chunks with bounded memory: one pooled buffer of at most twice the maximum chunk
/// size (16 MiB with the defaults), whatever the stream's length. Each chunk returned is valid only until the next call;
/// copy it to keep it. Not thread-safe.
/// </summary>
internal sealed class ChunkReader : IDisposable
{
    private readonly Stream _stream;
    private readonly FastCdcChunker _chunker;
    private readonly ArrayPool<byte> _pool;
    private byte[]? _buffer;
    private int _start;
    private int _end;
    private bool _endOfStream;

    /// <param name="stream">What to chunk.</param>
    /// <param name="chunker">Where to cut.</param>
    /// <param name="pool">Where the buffer comes from; <see cref="ArrayPool{T}.Shared"/> when null.</param>
    public ChunkReader(Stream stream, FastCdcChunker chunker, ArrayPool<byte>? pool = null)
    {
        _stream = stream;
        _chunker = chunker;
        _pool = pool ?? ArrayPool<byte>.Shared;
    }

    /// <summary>The next chunk, or an empty memory at the end of the stream (an empty stream has no chunks).</summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReadChunkAsync(CancellationToken cancellationToken)
    {
        var max = _chunker.Parameters.MaxSize;
        _buffer ??= _pool.Rent(InitialCapacity(max));
        while (!_endOfStream && _end - _start < max)
        {
            if (_end == _buffer.Length)
            {
                Compact(max);
            }

            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                _endOfStream = true;
            }

            _end += read;
        }

        var length = _chunker.FindCutPoint(_buffer.AsSpan(_start, _end - _start));
        var chunk = _buffer.AsMemory(_start, length);
        _start += length;
        return chunk;
    }

    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            var chunk = await ReadChunkAsync(cancellationToken);
            if (chunk.IsEmpty)
            {
                yield break;
            }

            yield return chunk;
        }
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            _pool.Return(_buffer);
            _buffer = null;
        }
    }

    // Small seekable files (the common case) get a buffer their size, not 16 MiB.
    private int InitialCapacity(int max)
    {
        var full = 2 * max;
        if (_stream.CanSeek)
        {
            var remaining = _stream.Length - _stream.Position;
            return (int)Math.Clamp(remaining + 1, 4096, full);
        }

        return full;
    }

    // Called when the buffer is full but holds less than max unconsumed bytes: moves that tail to the front (copying
    // under max bytes once per max bytes consumed), growing the buffer to 2 × max if a small-file guess was wrong.
    private void Compact(int max)
    {
        var pending = _end - _start;
        var buffer = _buffer!;
        if (buffer.Length < 2 * max)
        {
            var larger = _pool.Rent(2 * max);
            buffer.AsSpan(_start, pending).CopyTo(larger);
            _pool.Return(buffer);
            _buffer = larger;
        }
        else
        {
            buffer.AsSpan(_start, pending).CopyTo(buffer);
        }

        _start = 0;
        _end = pending;
    }
}
