using System.Buffers;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Api;

/// <summary>Streams a byte range of a version's segments to a destination, one buffer at a time.</summary>
internal sealed class ObjectReader
{
    /// <summary>Below the large-object heap's 85 000 bytes, like DataFileStore's staging buffer, and for the same reason.</summary>
    private const int BufferSize = 64 * 1024;
    private readonly DataFileStore _files;

    public ObjectReader(DataFileStore files)
    {
        _files = files;
    }

    /// <summary>Copies bytes [offset, offset+length) of the object formed by <paramref name="segments"/>.</summary>
    public async Task CopyRangeAsync(IReadOnlyList<Segment> segments, long offset, long length, Stream destination, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long segmentStart = 0;
            foreach (var segment in segments)
            {
                if (length <= 0)
                {
                    break;
                }

                var segmentEnd = segmentStart + segment.Size;
                if (offset < segmentEnd)
                {
                    var within = offset - segmentStart;
                    var take = Math.Min(segment.Size - within, length);
                    await using var file = _files.OpenRead(segment.FileId);
                    file.Seek(within, SeekOrigin.Begin);
                    var remaining = take;
                    while (remaining > 0)
                    {
                        var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(BufferSize, remaining)), cancellationToken);
                        if (read == 0)
                        {
                            throw new IOException($"data file {segment.FileId} is shorter than its recorded size {segment.Size}");
                        }

                        await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                        remaining -= read;
                    }

                    offset += take;
                    length -= take;
                }

                segmentStart = segmentEnd;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A readable stream over a range, for server-side copies into a new staged file.</summary>
    public Stream OpenRange(IReadOnlyList<Segment> segments, long offset, long length, CancellationToken cancellationToken)
    {
        var pipe = new System.IO.Pipelines.Pipe();
        _ = Task.Run(async () =>
        {
            try
            {
                await CopyRangeAsync(segments, offset, length, pipe.Writer.AsStream(leaveOpen: true), cancellationToken);
                await pipe.Writer.CompleteAsync();
            }
            catch (Exception e)
            {
                await pipe.Writer.CompleteAsync(e);
            }
        }, cancellationToken);
        return pipe.Reader.AsStream();
    }
}
