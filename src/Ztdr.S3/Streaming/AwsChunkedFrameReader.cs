using System.Text;
using static Ztdr.S3.Streaming.AwsChunkedRejections;

namespace Ztdr.S3.Streaming;

/// <summary>
/// The byte level of an aws-chunked body: framing lines and exact-length chunk data read from the inner
/// stream through one read-ahead buffer.
/// </summary>
/// <remarks>
/// Memory is bounded by the <see cref="AwsChunkedStream.MaxLineLength"/> buffer: a line that does not fit is
/// refused, and chunk data is copied straight into the caller's memory. Every method takes the
/// <c>bool async</c> of <see cref="AwsChunkedStream"/>: with false, every inner read is synchronous and the
/// returned ValueTask has already completed.
/// </remarks>
internal sealed class AwsChunkedFrameReader(Stream inner)
{
    // Framing bytes read ahead of the parser: _line[_lineStart.._lineEnd).
    private readonly byte[] _line = new byte[AwsChunkedStream.MaxLineLength];
    private int _lineStart;
    private int _lineEnd;

    /// <summary>The next line up to and including '\n', minus the '\n', as Latin-1 (framing is ASCII).</summary>
    public async ValueTask<string> ReadLineAsync(bool async, CancellationToken cancellationToken)
    {
        var scanned = 0;
        while (true)
        {
            var pending = _line.AsSpan(_lineStart, _lineEnd - _lineStart);
            var newline = pending[scanned..].IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = Encoding.Latin1.GetString(pending[..(scanned + newline)]);
                _lineStart += scanned + newline + 1;
                return line;
            }

            scanned = pending.Length;
            if (pending.Length >= AwsChunkedStream.MaxLineLength)
            {
                throw Malformed($"a framing line is longer than {AwsChunkedStream.MaxLineLength} bytes.");
            }

            if (!await FillAsync(async, cancellationToken).ConfigureAwait(false))
            {
                throw Truncated();
            }
        }
    }

    /// <summary>Fills all of <paramref name="destination"/>: first from bytes read ahead, then from the inner stream.</summary>
    public async ValueTask ReadExactAsync(Memory<byte> destination, bool async, CancellationToken cancellationToken)
    {
        var filled = Math.Min(destination.Length, _lineEnd - _lineStart);
        _line.AsSpan(_lineStart, filled).CopyTo(destination.Span);
        _lineStart += filled;

        while (filled < destination.Length)
        {
            var n = await ReadInnerAsync(destination[filled..], async, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw Truncated();
            }

            filled += n;
        }
    }

    /// <summary>Consumes the CRLF that must follow chunk data.</summary>
    public async ValueTask ExpectCrlfAsync(bool async, CancellationToken cancellationToken)
    {
        while (_lineEnd - _lineStart < 2)
        {
            if (!await FillAsync(async, cancellationToken).ConfigureAwait(false))
            {
                throw Truncated();
            }
        }

        if (_line[_lineStart] != '\r' || _line[_lineStart + 1] != '\n')
        {
            throw Malformed("chunk data is not followed by CRLF (the chunk is longer than its declared size).");
        }

        _lineStart += 2;
    }

    public async ValueTask ExpectEndOfBodyAsync(bool async, CancellationToken cancellationToken)
    {
        // Bytes after the terminator are covered by no signature; refuse them rather than silently drop them.
        if (_lineEnd > _lineStart || await FillAsync(async, cancellationToken).ConfigureAwait(false))
        {
            throw Malformed("data follows the terminating chunk.");
        }
    }

    /// <summary>Reads more framing bytes after those pending; false at end of the inner stream.</summary>
    private async ValueTask<bool> FillAsync(bool async, CancellationToken cancellationToken)
    {
        if (_lineStart > 0)
        {
            _line.AsSpan(_lineStart, _lineEnd - _lineStart).CopyTo(_line);
            _lineEnd -= _lineStart;
            _lineStart = 0;
        }

        var n = await ReadInnerAsync(_line.AsMemory(_lineEnd), async, cancellationToken).ConfigureAwait(false);
        _lineEnd += n;
        return n > 0;
    }

    private async ValueTask<int> ReadInnerAsync(Memory<byte> destination, bool async, CancellationToken cancellationToken) =>
        async
            ? await inner.ReadAsync(destination, cancellationToken).ConfigureAwait(false)
            : inner.Read(destination.Span);
}
