namespace Ztdr.Testing;

/// <summary>
/// A seekable body whose bytes change after it has been read to the end once: the upload's digests are taken on the
/// first pass, the SDK sends the second, so what reaches the server is what a network corrupting the body in transit
/// would deliver, while everything on the wire is real.
/// </summary>
public sealed class AlteredOnResendStream(byte[] content, int flipAt) : Stream
{
    private readonly byte[] _content = (byte[])content.Clone();
    private long _position;
    private bool _altered;

    /// <summary>Whether the body was altered and read again after, so a test can prove the fault happened.</summary>
    public bool ResentAltered { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _content.Length;

    public override long Position
    {
        get => _position;
        set => _position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= _content.Length)
        {
            if (!_altered)
            {
                _altered = true;
                _content[flipAt] ^= 0x01;
            }

            return 0;
        }

        if (_altered)
        {
            ResentAltered = true;
        }

        var n = (int)Math.Min(buffer.Length, _content.Length - _position);
        _content.AsSpan((int)_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

    public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => _content.Length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
