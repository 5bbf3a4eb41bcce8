using System.Buffers;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Text;
using Ztdr.S3.Errors;

namespace Ztdr.S3.Streaming;

/// <summary>
/// Decodes S3's aws-chunked body framing (the layer inside any HTTP Transfer-Encoding, which Kestrel has
/// already removed) into the object's bytes. Read-only and forward-only.
/// </summary>
/// <remarks>
/// <para>Three framings, chosen by the constructor arguments:</para>
/// <list type="bullet">
/// <item>signed, no trailer (STREAMING-AWS4-HMAC-SHA256-PAYLOAD): <c>hex;chunk-signature=sig\r\n data \r\n</c> … <c>0;chunk-signature=sig\r\n\r\n</c></item>
/// <item>signed with trailer (…-PAYLOAD-TRAILER): final <c>0;chunk-signature=sig\r\n</c>, trailer lines, <c>x-amz-trailer-signature:sig\r\n\r\n</c></item>
/// <item>unsigned with trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER): <c>hex\r\n data \r\n</c> … <c>0\r\n</c>, trailer lines, <c>\r\n</c></item>
/// </list>
/// <para>Guarantees: a signed chunk's bytes are handed out only after its signature verified, so a consumer never
/// sees unauthenticated data; memory is bounded by one chunk (at most 16 MiB, grown only as bytes actually arrive)
/// plus a 4 KiB line buffer; every framing fault is an <see cref="S3Exception"/> and poisons the stream, so
/// later reads fail the same way. The trailer checksum itself is not checked here: hash the decoded bytes
/// (see <see cref="HashingReadStream"/>) and compare with <see cref="Trailers"/> after end of stream.</para>
/// <para>The inner stream is not disposed; it belongs to whoever owns the request.</para>
/// </remarks>
public sealed class AwsChunkedStream : Stream
{
    /// <summary>Largest chunk accepted (MinIO's limit; SDKs use 64 KiB to 1 MiB).</summary>
    public const int MaxChunkSize = 16 * 1024 * 1024;

    /// <summary>Longest framing line accepted, CRLF included.</summary>
    public const int MaxLineLength = 4 * 1024;

    // Trailers are few (one checksum plus the signature); a body sending more is hostile.
    private const int MaxTrailerLines = 16;
    private const int InitialChunkCapacity = 64 * 1024;
    private const string ChunkSignaturePrefix = "chunk-signature=";
    private const string TrailerSignatureName = "x-amz-trailer-signature";

    private readonly Stream _inner;
    private readonly ChunkSignatureChain? _signatures;
    private readonly HashSet<string> _expectedTrailers;
    private readonly long? _declaredLength;
    private readonly Dictionary<string, string> _trailers = new(StringComparer.Ordinal);

    // Framing bytes read ahead of the parser: _line[_lineStart.._lineEnd).
    private readonly byte[] _line = new byte[MaxLineLength];
    private int _lineStart;
    private int _lineEnd;

    // The current verified chunk: _chunk[_chunkOffset.._chunkLength) is still to be handed out.
    private byte[] _chunk = [];
    private int _chunkLength;
    private int _chunkOffset;

    private long _decodedLength;
    private bool _completed;
    private bool _disposed;
    private ExceptionDispatchInfo? _failure;
    private bool _interrupted;

    /// <param name="inner">The request body after HTTP de-chunking.</param>
    /// <param name="signing">Chunk signing context for signed framings; null for STREAMING-UNSIGNED-PAYLOAD-TRAILER.</param>
    /// <param name="expectedTrailers">The names from x-amz-trailer (see <c>ChecksumRequest.TrailerNames</c>); empty when none.</param>
    /// <param name="decodedContentLength">x-amz-decoded-content-length, when the request declared one.</param>
    public AwsChunkedStream(Stream inner, ChunkSigningContext? signing, IEnumerable<string>? expectedTrailers, long? decodedContentLength)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (decodedContentLength < 0)
        {
            throw new S3Exception(S3Errors.InvalidArgument, "x-amz-decoded-content-length must not be negative.");
        }

        _inner = inner;
        _signatures = signing is null ? null : new ChunkSignatureChain(signing);
        _expectedTrailers = new HashSet<string>(
            (expectedTrailers ?? []).Select(name => name.Trim().ToLowerInvariant()),
            StringComparer.Ordinal);
        _declaredLength = decodedContentLength;
    }

    /// <summary>Decoded bytes handed out (or verified and ready to hand out) so far.</summary>
    public long DecodedLength => _decodedLength;

    /// <summary>True once the terminating chunk, trailers and their signature have been read and verified.</summary>
    public bool IsCompleted => _completed;

    /// <summary>The trailers received (lower-case names, trimmed values), without the trailer signature. Only after end of stream.</summary>
    public IReadOnlyDictionary<string, string> Trailers =>
        _completed ? _trailers : throw new InvalidOperationException("Trailers are known only after the body has been read to the end.");

    public override bool CanRead => !_disposed;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        // With async: false every inner read is synchronous, so this ValueTask has already completed.
        var ready = EnsureChunkAsync(async: false, CancellationToken.None);
        Debug.Assert(ready.IsCompleted, "the synchronous path never awaits");
        return ready.GetAwaiter().GetResult() ? CopyOut(buffer) : 0;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        return await EnsureChunkAsync(async: true, cancellationToken).ConfigureAwait(false) ? CopyOut(buffer.Span) : 0;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            ReturnChunkBuffer();
        }

        base.Dispose(disposing);
    }

    private static S3Exception Malformed(string detail) =>
        new(S3Errors.InvalidRequest, $"The aws-chunked body is malformed: {detail}");

    private static S3Exception Truncated() =>
        new(S3Errors.IncompleteBody, "The aws-chunked body ended before its terminating chunk and trailers.");

    private int CopyOut(Span<byte> destination)
    {
        var n = Math.Min(destination.Length, _chunkLength - _chunkOffset);
        _chunk.AsSpan(_chunkOffset, n).CopyTo(destination);
        _chunkOffset += n;
        return n;
    }

    /// <summary>Makes sure verified bytes are waiting; false at the (verified) end of the body.</summary>
    private async ValueTask<bool> EnsureChunkAsync(bool async, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _failure?.Throw();
        if (_interrupted)
        {
            // A read failed mid-frame (I/O error, cancellation): the parser position is unknown.
            throw new InvalidOperationException("An earlier read of this aws-chunked body failed; the body cannot be resumed.");
        }

        var settled = false;
        try
        {
            while (_chunkOffset == _chunkLength)
            {
                if (_completed)
                {
                    settled = true;
                    return false;
                }

                await ReadNextChunkAsync(async, cancellationToken).ConfigureAwait(false);
            }

            settled = true;
            return true;
        }
        catch (S3Exception ex)
        {
            _failure = ExceptionDispatchInfo.Capture(ex);
            throw;
        }
        finally
        {
            if (!settled)
            {
                _interrupted = true;
                _chunkOffset = _chunkLength = 0;
            }
        }
    }

    private async ValueTask ReadNextChunkAsync(bool async, CancellationToken cancellationToken)
    {
        var header = await ReadLineAsync(async, cancellationToken).ConfigureAwait(false);
        if (header.Length == 0 || header[^1] != '\r')
        {
            throw Malformed("a chunk header line must end with CRLF.");
        }

        var (size, signature) = ParseChunkHeader(header[..^1]);
        if (_declaredLength is { } declared && _decodedLength + size > declared)
        {
            throw new S3Exception(
                S3Errors.IncompleteBody,
                $"The body carries more than the {declared} bytes declared by x-amz-decoded-content-length.");
        }

        _chunkOffset = _chunkLength = 0;
        if (size > 0)
        {
            await ReadChunkDataAsync(size, async, cancellationToken).ConfigureAwait(false);
            await ExpectCrlfAsync(async, cancellationToken).ConfigureAwait(false);
        }

        // Verify before anything of the chunk becomes readable.
        if (_signatures is not null)
        {
            _signatures.VerifyChunk(_chunk.AsSpan(0, size), signature!);
        }

        if (size == 0)
        {
            await ReadTrailerSectionAsync(async, cancellationToken).ConfigureAwait(false);
            await ExpectEndOfBodyAsync(async, cancellationToken).ConfigureAwait(false);
            if (_declaredLength is { } expected && _decodedLength != expected)
            {
                throw new S3Exception(
                    S3Errors.IncompleteBody,
                    $"The body carries {_decodedLength} bytes but x-amz-decoded-content-length declares {expected}.");
            }

            _completed = true;
            ReturnChunkBuffer();
            return;
        }

        _chunkLength = size;
        _decodedLength += size;
    }

    private (int Size, string? Signature) ParseChunkHeader(string line)
    {
        var semicolon = line.IndexOf(';', StringComparison.Ordinal);
        var sizeText = semicolon < 0 ? line : line[..semicolon];
        string? signature = null;
        if (_signatures is not null)
        {
            var extension = semicolon < 0 ? string.Empty : line[(semicolon + 1)..];
            if (!extension.StartsWith(ChunkSignaturePrefix, StringComparison.Ordinal))
            {
                throw new S3Exception(S3Errors.SignatureDoesNotMatch, "A chunk of the signed aws-chunked body carries no chunk-signature.");
            }

            signature = extension[ChunkSignaturePrefix.Length..];
            if (!ChunkSignatureChain.IsSignatureHex(signature))
            {
                throw Malformed("a chunk-signature must be 64 hex digits.");
            }
        }

        // Hex digits only (either case): no sign, no whitespace, no 0x. Checked digit by digit so that
        // an enormous size is refused before it can overflow.
        if (sizeText.Length == 0)
        {
            throw Malformed("a chunk header has no size.");
        }

        long size = 0;
        foreach (var c in sizeText)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                throw Malformed($"the chunk size '{Truncate(sizeText)}' is not hexadecimal.");
            }

            size = (size * 16) + HexValue(c);
            if (size > MaxChunkSize)
            {
                throw Malformed($"a chunk is larger than the {MaxChunkSize} bytes allowed.");
            }
        }

        return ((int)size, signature);
    }

    private static string Truncate(string value) => value.Length <= 32 ? value : value[..32] + "…";

    private async ValueTask ReadChunkDataAsync(int size, bool async, CancellationToken cancellationToken)
    {
        // Grow with the bytes that actually arrive, so a header announcing 16 MiB costs nothing until sent.
        EnsureChunkCapacity(Math.Min(size, InitialChunkCapacity));

        var filled = Math.Min(size, _lineEnd - _lineStart);
        _line.AsSpan(_lineStart, filled).CopyTo(_chunk);
        _lineStart += filled;

        while (filled < size)
        {
            if (filled == _chunk.Length)
            {
                EnsureChunkCapacity((int)Math.Min(size, (long)_chunk.Length * 2));
            }

            var want = Math.Min(size, _chunk.Length) - filled;
            var n = await ReadInnerAsync(_chunk.AsMemory(filled, want), async, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw Truncated();
            }

            filled += n;
        }
    }

    private void EnsureChunkCapacity(int capacity)
    {
        if (_chunk.Length >= capacity)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(capacity);
        _chunk.AsSpan().CopyTo(larger);
        ReturnChunkBuffer();
        _chunk = larger;
    }

    private void ReturnChunkBuffer()
    {
        if (_chunk.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_chunk);
            _chunk = [];
        }
    }

    private async ValueTask ExpectCrlfAsync(bool async, CancellationToken cancellationToken)
    {
        while (_lineEnd - _lineStart < 2)
        {
            if (!await FillLineBufferAsync(async, cancellationToken).ConfigureAwait(false))
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

    /// <summary>
    /// Reads trailer lines up to the empty line that ends the body, checks each against x-amz-trailer and,
    /// for a signed body, verifies the trailer signature over them.
    /// </summary>
    private async ValueTask ReadTrailerSectionAsync(bool async, CancellationToken cancellationToken)
    {
        string? trailerSignature = null;
        var canonical = new StringBuilder();
        for (var lines = 0; ; lines++)
        {
            if (lines > MaxTrailerLines)
            {
                throw Malformed("too many trailer lines.");
            }

            var raw = await ReadLineAsync(async, cancellationToken).ConfigureAwait(false);

            // Lines end in CRLF; some clients end the last trailer with "\r" and then the final CRLF
            // ("value\r\r\n"). Normalise both: strip carriage returns, and treat two of them as "line, then end".
            var content = raw.TrimEnd('\r');
            var endsSection = raw.Length - content.Length >= 2;
            if (content.Length == 0)
            {
                break;
            }

            var colon = content.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw Malformed("a trailer line is not 'name:value'.");
            }

            var sentName = content[..colon].Trim();
            var name = sentName.ToLowerInvariant();
            var value = content[(colon + 1)..].Trim();
            if (name == TrailerSignatureName && _signatures is not null && _expectedTrailers.Count > 0)
            {
                if (trailerSignature is not null)
                {
                    throw Malformed("the trailer signature appears twice.");
                }

                trailerSignature = value;
            }
            else
            {
                if (trailerSignature is not null)
                {
                    // Anything after the signature would not be covered by it.
                    throw Malformed("a trailer follows the trailer signature.");
                }

                if (!_expectedTrailers.Contains(name))
                {
                    throw new S3Exception(S3Errors.InvalidRequest, $"The trailer '{Truncate(name)}' was not announced in x-amz-trailer.");
                }

                if (!_trailers.TryAdd(name, value))
                {
                    throw Malformed($"the trailer '{name}' appears twice.");
                }

                // Signed as sent; names are matched case-insensitively but the signature covers the bytes.
                canonical.Append(sentName).Append(':').Append(value).Append('\n');
            }

            if (endsSection)
            {
                break;
            }
        }

        foreach (var expected in _expectedTrailers)
        {
            if (!_trailers.ContainsKey(expected))
            {
                throw new S3Exception(S3Errors.InvalidRequest, $"The trailer '{expected}' announced in x-amz-trailer is missing from the body.");
            }
        }

        if (_signatures is not null && _expectedTrailers.Count > 0)
        {
            if (trailerSignature is null)
            {
                throw new S3Exception(S3Errors.SignatureDoesNotMatch, "The signed aws-chunked body has trailers but no x-amz-trailer-signature.");
            }

            _signatures.VerifyTrailer(canonical.ToString(), trailerSignature);
        }
    }

    private async ValueTask ExpectEndOfBodyAsync(bool async, CancellationToken cancellationToken)
    {
        // Bytes after the terminator are covered by no signature; refuse them rather than silently drop them.
        if (_lineEnd > _lineStart || await FillLineBufferAsync(async, cancellationToken).ConfigureAwait(false))
        {
            throw Malformed("data follows the terminating chunk.");
        }
    }

    /// <summary>The next line up to and including '\n', minus the '\n', as Latin-1 (framing is ASCII).</summary>
    private async ValueTask<string> ReadLineAsync(bool async, CancellationToken cancellationToken)
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
            if (pending.Length >= MaxLineLength)
            {
                throw Malformed($"a framing line is longer than {MaxLineLength} bytes.");
            }

            if (!await FillLineBufferAsync(async, cancellationToken).ConfigureAwait(false))
            {
                throw Truncated();
            }
        }
    }

    /// <summary>Reads more framing bytes after those pending; false at end of the inner stream.</summary>
    private async ValueTask<bool> FillLineBufferAsync(bool async, CancellationToken cancellationToken)
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
            ? await _inner.ReadAsync(destination, cancellationToken).ConfigureAwait(false)
            : _inner.Read(destination.Span);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
