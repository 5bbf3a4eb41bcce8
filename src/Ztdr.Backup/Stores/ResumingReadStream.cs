namespace Ztdr.Backup.Stores;

/// <summary>
/// An object body that survives a broken connection: when a read fails as <see cref="StoreErrorKind.Unavailable"/>
/// (the connection was reset, the server went away mid-body), the object is asked for again from the first byte not
/// yet read, up to a bounded number of times with a short backoff. The SDK's retries end when the response headers
/// arrive, so without this a reset in the middle of a 16 MiB pack failed a whole restore or copy. Safe because objects
/// are written once and never change; the reopen is pinned to the version first read.
/// </summary>
internal sealed class ResumingReadStream(Stream first, long length, int maxResumes, Func<long, CancellationToken, Task<Stream>> reopen) : Stream
{
    private Stream _current = first;
    private long _position;
    private int _resumes;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Synchronous reads are not resumed (nothing in the engine reads bodies synchronously).</summary>
    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = _current.Read(buffer, offset, count);
        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            try
            {
                var read = await _current.ReadAsync(buffer, cancellationToken);
                _position += read;
                return read;
            }
            catch (ObjectStoreException e) when (e.Kind == StoreErrorKind.Unavailable && _resumes < maxResumes && !cancellationToken.IsCancellationRequested)
            {
                _resumes++;
                await DropCurrentAsync();
                if (_position >= length)
                {
                    _current = new MemoryStream([], writable: false);
                    continue;
                }

                // Jittered like the SDK's own backoff, shorter: the connection broke, the server answered a moment ago.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(50, 250) * _resumes), cancellationToken);
                _current = await reopen(_position, cancellationToken);
            }
        }
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
            _current.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _current.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>Closes a body that failed; closing it may fail again (a checksum over bytes never read), which is moot.</summary>
    private async Task DropCurrentAsync()
    {
        try
        {
            await _current.DisposeAsync();
        }
        catch (ObjectStoreException)
        {
            // The broken body: what it says on close adds nothing to the failure being recovered from.
        }
    }
}
