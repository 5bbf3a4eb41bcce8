namespace Ztdr.Backup.Stores;

/// <summary>
/// A read-only window onto a positioned stream: reads stop after <c>length</c> bytes. Owns the inner stream and, when
/// given, the object it came from (an HTTP response), and turns read failures into store errors through
/// <c>translate</c> so no client-library exception escapes while a body is being read.
/// </summary>
internal sealed class RangeReadStream : Stream
{
    private readonly Stream _inner;
    private readonly IDisposable? _owner;
    private readonly Func<Exception, Exception?>? _translate;
    private long _remaining;

    public RangeReadStream(Stream inner, long length, IDisposable? owner = null, Func<Exception, Exception?>? translate = null)
    {
        _inner = inner;
        _remaining = length;
        _owner = owner;
        _translate = translate;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read;
        try
        {
            read = _inner.Read(buffer[..Limit(buffer.Length)]);
        }
        catch (Exception e) when (_translate?.Invoke(e) is { } translated)
        {
            throw translated;
        }

        _remaining -= read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await _inner.ReadAsync(buffer[..Limit(buffer.Length)], cancellationToken);
        }
        catch (Exception e) when (_translate?.Invoke(e) is { } translated)
        {
            throw translated;
        }

        _remaining -= read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                _inner.Dispose();
            }
            catch (Exception e) when (_translate?.Invoke(e) is { } translated)
            {
                // A client library may check the body when it is closed; its failure is a store error like any other.
                throw translated;
            }
            finally
            {
                _owner?.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await _inner.DisposeAsync();
        }
        catch (Exception e) when (_translate?.Invoke(e) is { } translated)
        {
            throw translated;
        }
        finally
        {
            _owner?.Dispose();
        }

        await base.DisposeAsync();
    }

    private int Limit(int requested) => (int)Math.Min(requested, Math.Max(_remaining, 0));
}
