using Ztdr.S3.Errors;
using Ztdr.S3.Streaming;

namespace Ztdr.S3.Tests.Streaming;

/// <summary>The payload, read and failure helpers the aws-chunked tests share.</summary>
public sealed partial class AwsChunkedStreamTests
{
    internal static byte[] MakePayload(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        return data;
    }

    internal static byte[] ReadAll(Stream stream, int bufferSize)
    {
        var output = new MemoryStream();
        CopyInto(stream, output, bufferSize);
        return output.ToArray();
    }

    internal static async Task<byte[]> ReadAllAsync(Stream stream, int bufferSize)
    {
        var output = new MemoryStream();
        var buffer = new byte[bufferSize];
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            output.Write(buffer, 0, n);
        }

        return output.ToArray();
    }

    private static void CopyInto(Stream stream, MemoryStream output, int bufferSize)
    {
        var buffer = new byte[bufferSize];
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            output.Write(buffer, 0, n);
        }
    }

    private static S3Exception ReadExpectingFailure(byte[] body, ChunkSigningContext? signing, string[]? trailers, long? decodedLength)
    {
        using var stream = new AwsChunkedStream(new MemoryStream(body), signing, trailers, decodedLength);
        return Assert.Throws<S3Exception>(() => ReadAll(stream, 4096));
    }

    private sealed class RepeatingStream(byte value) : Stream
    {
        public long BytesServed { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            buffer.AsSpan(offset, count).Fill(value);
            BytesServed += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
