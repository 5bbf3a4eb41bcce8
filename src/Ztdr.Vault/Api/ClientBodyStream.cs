using Ztdr.S3.Errors;

namespace Ztdr.Vault.Api;

/// <summary>
/// The request body as the vault reads it: a read failure of the client's stream (Kestrel reports an overflowing
/// HTTP chunk size or a reset connection as an <see cref="IOException"/>) becomes S3's IncompleteBody, a 400, instead of
/// reaching the request boundary as a 500. Only reads of the client's bytes are translated, so an I/O error of the
/// vault's own disk keeps its meaning.
/// </summary>
internal sealed class ClientBodyStream(Stream inner) : Stream
{
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
        try
        {
            return inner.Read(buffer);
        }
        catch (IOException e)
        {
            throw Incomplete(e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw Incomplete(e);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private static S3Exception Incomplete(IOException e) =>
        new(S3Errors.IncompleteBody, "The request body could not be read to its end: its framing is invalid or the connection broke.", e);
}
