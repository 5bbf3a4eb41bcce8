using System.Collections.Concurrent;

namespace Ztdr.Backup.Compression;

/// <summary>
/// <see cref="BlobCompressor"/>s for concurrent callers: a compressor holds zstd contexts and serves one caller at a
/// time, so each caller rents one and returns it. The pool grows to the highest concurrency seen and no further.
/// </summary>
internal sealed class CompressorPool(int level = BlobCompressor.DefaultLevel) : IDisposable
{
    private readonly ConcurrentBag<BlobCompressor> _idle = [];
    private bool _disposed;

    public BlobCompressor Rent() => _idle.TryTake(out var compressor) ? compressor : new BlobCompressor(level);

    public void Return(BlobCompressor compressor)
    {
        if (Volatile.Read(ref _disposed))
        {
            compressor.Dispose();
            return;
        }

        _idle.Add(compressor);
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        while (_idle.TryTake(out var compressor))
        {
            compressor.Dispose();
        }
    }
}
