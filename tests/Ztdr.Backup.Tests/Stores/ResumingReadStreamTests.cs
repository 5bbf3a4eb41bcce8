using Ztdr.Backup.Stores;

namespace Ztdr.Backup.Tests.Stores;

/// <summary>
/// A body cut off mid-way is asked for again from the first byte not yet read, a bounded number of times; other
/// failures are not retried. Against a real vault behind a fault proxy: tests/Ztdr.Cli.Tests/Faults/NetworkFaultTests.
/// </summary>
public sealed class ResumingReadStreamTests
{
    private static readonly byte[] Content = [.. Enumerable.Range(0, 1000).Select(i => (byte)i)];

    [Fact]
    public async Task ReadAsync_BodyBreaksTwice_ResumesFromWhereItBrokeAndReadsEverythingOnce()
    {
        var reopened = new List<long>();
        var stream = new ResumingReadStream(new BreakingStream(Content, 0, 300), Content.Length, maxResumes: 2, (from, _) =>
        {
            reopened.Add(from);
            return Task.FromResult<Stream>(new BreakingStream(Content, (int)from, reopened.Count == 1 ? 200 : int.MaxValue));
        });

        var read = new MemoryStream();
        await stream.CopyToAsync(read);

        Assert.Equal(Content, read.ToArray());
        Assert.Equal([300L, 500L], reopened);
    }

    [Fact]
    public async Task ReadAsync_BodyBreaksMoreOftenThanAllowed_FailsAsUnavailable()
    {
        var stream = new ResumingReadStream(new BreakingStream(Content, 0, 100), Content.Length, maxResumes: 1, (from, _) =>
            Task.FromResult<Stream>(new BreakingStream(Content, (int)from, 100)));

        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => stream.CopyToAsync(new MemoryStream()));

        Assert.Equal(StoreErrorKind.Unavailable, e.Kind);
    }

    [Fact]
    public async Task ReadAsync_DamagedNotUnavailable_IsNotRetried()
    {
        var reopens = 0;
        var stream = new ResumingReadStream(new BreakingStream(Content, 0, 100, StoreErrorKind.Damaged), Content.Length, maxResumes: 3, (from, _) =>
        {
            reopens++;
            return Task.FromResult<Stream>(new MemoryStream(Content[(int)from..]));
        });

        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => stream.CopyToAsync(new MemoryStream()));

        Assert.Equal(StoreErrorKind.Damaged, e.Kind);
        Assert.Equal(0, reopens);
    }

    /// <summary>Serves <c>content[from..]</c> and fails with a store error after <c>breakAfter</c> bytes.</summary>
    private sealed class BreakingStream(byte[] content, int from, int breakAfter, StoreErrorKind kind = StoreErrorKind.Unavailable) : Stream
    {
        private int _served;

        public override bool CanRead => true;

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
            if (_served >= breakAfter)
            {
                throw new ObjectStoreException(kind, "connection reset by peer");
            }

            var n = Math.Min(Math.Min(count, 64), Math.Min(content.Length - from - _served, breakAfter - _served));
            content.AsSpan(from + _served, n).CopyTo(buffer.AsSpan(offset));
            _served += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var array = new byte[buffer.Length];
            var n = Read(array, 0, array.Length);
            array.AsSpan(0, n).CopyTo(buffer.Span);
            return ValueTask.FromResult(n);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
