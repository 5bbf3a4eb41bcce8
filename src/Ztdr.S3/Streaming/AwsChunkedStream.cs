using System.Buffers;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
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
/// <para>This type orders the steps and owns the verified chunk; <see cref="AwsChunkedFrameReader"/> reads the bytes,
/// <see cref="ChunkHeader"/> parses each header line and <see cref="TrailerSectionReader"/> checks the trailers.</para>
/// </remarks>
public sealed class AwsChunkedStream : Stream
{
    /// <summary>Largest chunk accepted (MinIO's limit; SDKs use 64 KiB to 1 MiB).</summary>
    public const int MaxChunkSize = 16 * 1024 * 1024;

    /// <summary>Longest framing line accepted, CRLF included.</summary>
    public const int MaxLineLength = 4 * 1024;

    private const int InitialChunkCapacity = 64 * 1024;

    private readonly AwsChunkedFrameReader _frames;
    private readonly ChunkSignatureChain? _signatures;
    private readonly TrailerSectionReader _trailerSection;
    private readonly long? _declaredLength;

    // The current verified chunk: _chunk[_chunkOffset.._chunkLength) is still to be handed out.
    private byte[] _chunk = [];
    private int _chunkLength;
    private int _chunkOffset;

    private long _decodedLength;

    // Set only once the terminator, trailers, end of body and declared length have all checked out.
    private IReadOnlyDictionary<string, string>? _trailers;
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
            throw AwsChunkedRejections.NegativeDecodedLength();
        }

        _frames = new AwsChunkedFrameReader(inner);
        _signatures = signing is null ? null : new ChunkSignatureChain(signing);
        _trailerSection = new TrailerSectionReader(_signatures, expectedTrailers);
        _declaredLength = decodedContentLength;
    }

    /// <summary>Decoded bytes handed out (or verified and ready to hand out) so far.</summary>
    public long DecodedLength => _decodedLength;

    /// <summary>True once the terminating chunk, trailers and their signature have been read and verified.</summary>
    public bool IsCompleted => _trailers is not null;

    /// <summary>The trailers received (lower-case names, trimmed values), without the trailer signature. Only after end of stream.</summary>
    public IReadOnlyDictionary<string, string> Trailers =>
        _trailers ?? throw new InvalidOperationException("Trailers are known only after the body has been read to the end.");

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
                if (IsCompleted)
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
        var line = await _frames.ReadLineAsync(async, cancellationToken).ConfigureAwait(false);
        var (size, signature) = ChunkHeader.Parse(line, signed: _signatures is not null);
        if (_declaredLength is { } declared && _decodedLength + size > declared)
        {
            throw AwsChunkedRejections.LongerThanDeclared(declared);
        }

        _chunkOffset = _chunkLength = 0;
        if (size > 0)
        {
            await ReadChunkDataAsync(size, async, cancellationToken).ConfigureAwait(false);
            await _frames.ExpectCrlfAsync(async, cancellationToken).ConfigureAwait(false);
        }

        // Verify before anything of the chunk becomes readable.
        if (_signatures is not null)
        {
            _signatures.VerifyChunk(_chunk.AsSpan(0, size), signature!);
        }

        if (size == 0)
        {
            var trailers = await _trailerSection.ReadAsync(_frames, async, cancellationToken).ConfigureAwait(false);
            await _frames.ExpectEndOfBodyAsync(async, cancellationToken).ConfigureAwait(false);
            if (_declaredLength is { } expected && _decodedLength != expected)
            {
                throw AwsChunkedRejections.LengthMismatch(_decodedLength, expected);
            }

            _trailers = trailers;
            ReturnChunkBuffer();
            return;
        }

        _chunkLength = size;
        _decodedLength += size;
    }

    private async ValueTask ReadChunkDataAsync(int size, bool async, CancellationToken cancellationToken)
    {
        // Grow with the bytes that actually arrive, so a header announcing 16 MiB costs nothing until sent:
        // the buffer doubles only once the bytes already asked for have all been read.
        EnsureChunkCapacity(Math.Min(size, InitialChunkCapacity));

        var filled = 0;
        while (filled < size)
        {
            if (filled == _chunk.Length)
            {
                EnsureChunkCapacity((int)Math.Min(size, (long)_chunk.Length * 2));
            }

            var want = Math.Min(size, _chunk.Length) - filled;
            await _frames.ReadExactAsync(_chunk.AsMemory(filled, want), async, cancellationToken).ConfigureAwait(false);
            filled += want;
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
}
