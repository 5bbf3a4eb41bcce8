using ZstdSharp;

namespace Ztdr.Backup.Compression;

/// <summary>
/// Turns a blob's raw bytes into the plaintext of a sealed unit, flag (1) || body, and back (repository-format.md § 6):
/// zstd when it saves at least 1/8, stored otherwise, so incompressible data costs one byte and no decompression time.
/// Holds zstd contexts: not thread-safe, one per worker.
/// </summary>
internal sealed class BlobCompressor : IDisposable
{
    public const byte StoredFlag = 0x00;
    public const byte ZstdFlag = 0x01;

    /// <summary>Chosen by measurement on a mixed corpus (repository-format.md § 13).</summary>
    public const int DefaultLevel = 3;

    /// <summary>No unit's plaintext exceeds this; it is also the cap for object bodies whose size is not known ahead.</summary>
    public const int MaxRawLength = 128 * 1024 * 1024;

    /// <summary>Compressed output is kept only when it is at most raw − raw / MinSavingDivisor bytes.</summary>
    public const int MinSavingDivisor = 8;

    private readonly int _level;

    // libzstd's contexts where the library is present, else ZstdSharp's (see NativeZstd).
    private readonly NativeZstd.CompressionContext? _nativeCompressor;
    private readonly NativeZstd.DecompressionContext? _nativeDecompressor;
    private readonly Compressor? _compressor;
    private readonly Decompressor? _decompressor;

    public BlobCompressor(int level = DefaultLevel)
        : this(level, NativeZstd.IsAvailable)
    {
    }

    /// <param name="level">The zstd level.</param>
    /// <param name="native">Whether to use libzstd (tests cross-check it against ZstdSharp).</param>
    internal BlobCompressor(int level, bool native)
    {
        _level = level;
        if (native)
        {
            _nativeCompressor = NativeZstd.CompressionContext.Create();
            _nativeDecompressor = NativeZstd.DecompressionContext.Create();
        }
        else
        {
            _compressor = new Compressor(level);
            _decompressor = new Decompressor();
        }
    }

    /// <summary>Whether this instance uses the system's libzstd.</summary>
    public bool IsNative => _nativeCompressor is not null;

    /// <summary>The destination size that always suffices for <see cref="Compress"/>.</summary>
    public static int MaxCompressedLength(int rawLength) => rawLength + 1;

    /// <summary>Writes flag || body to <paramref name="destination"/>; returns its length.</summary>
    public int Compress(ReadOnlySpan<byte> raw, Span<byte> destination)
    {
        if (raw.Length > MaxRawLength)
        {
            throw new ArgumentException($"A unit holds at most {MaxRawLength} bytes, not {raw.Length}.", nameof(raw));
        }

        if (destination.Length < MaxCompressedLength(raw.Length))
        {
            throw new ArgumentException($"Compressing {raw.Length} bytes needs {MaxCompressedLength(raw.Length)} bytes of destination.", nameof(destination));
        }

        // Giving zstd only the space a worthwhile result may take makes it stop early on incompressible data.
        var worthwhile = raw.Length - (raw.Length / MinSavingDivisor);
        if (raw.Length >= MinSavingDivisor && TryCompressZstd(raw, destination.Slice(1, worthwhile), out var written))
        {
            destination[0] = ZstdFlag;
            return written + 1;
        }

        destination[0] = StoredFlag;
        raw.CopyTo(destination[1..]);
        return raw.Length + 1;
    }

    /// <summary>
    /// Reads flag || body into exactly <paramref name="expectedLength"/> bytes of <paramref name="destination"/>. Never
    /// produces more than that (no decompression bombs) and rejects units whose output differs from it.
    /// </summary>
    public int Decompress(ReadOnlySpan<byte> unit, int expectedLength, Span<byte> destination)
    {
        if (expectedLength is < 0 or > MaxRawLength)
        {
            throw new RepositoryFormatException($"A unit claims {expectedLength} raw bytes; the limit is {MaxRawLength}.");
        }

        if (unit.IsEmpty)
        {
            throw new RepositoryFormatException("A unit has no flag byte.");
        }

        var body = unit[1..];
        var output = destination[..expectedLength];
        switch (unit[0])
        {
            case StoredFlag:
                if (body.Length != expectedLength)
                {
                    throw new RepositoryFormatException($"A stored unit holds {body.Length} bytes, expected {expectedLength}.");
                }

                body.CopyTo(output);
                return expectedLength;
            case ZstdFlag:
                var written = DecompressZstd(body, output);
                if (written != expectedLength)
                {
                    throw new RepositoryFormatException($"A zstd unit decompresses to {written} bytes, expected {expectedLength}.");
                }

                return written;
            default:
                throw new RepositoryFormatException($"A unit has compression flag {unit[0]}; this ztdr knows 0 (stored) and 1 (zstd).");
        }
    }

    /// <summary>For object bodies whose raw size is not recorded: decompresses to a fresh array of at most <paramref name="maxLength"/> bytes.</summary>
    public byte[] DecompressBounded(ReadOnlySpan<byte> unit, int maxLength = MaxRawLength)
    {
        if (unit.IsEmpty)
        {
            throw new RepositoryFormatException("A unit has no flag byte.");
        }

        var cap = Math.Min(maxLength, MaxRawLength);
        if (unit[0] != ZstdFlag)
        {
            if (unit.Length - 1 > cap)
            {
                throw new RepositoryFormatException($"A stored unit holds {unit.Length - 1} bytes, over the cap of {cap}.");
            }

            var stored = new byte[unit.Length - 1];
            Decompress(unit, stored.Length, stored);
            return stored;
        }

        ulong bound;
        try
        {
            // The exact content size when the frame records it (ours always do), otherwise an upper bound.
            bound = Decompressor.GetDecompressedSize(unit[1..]);
        }
        catch (ZstdException ex)
        {
            throw new RepositoryFormatException("A zstd unit is corrupt.", ex);
        }

        var buffer = new byte[(int)Math.Min(bound, (ulong)cap)];
        var written = DecompressZstd(unit[1..], buffer);
        return written == buffer.Length ? buffer : buffer[..written];
    }

    private int DecompressZstd(ReadOnlySpan<byte> frame, Span<byte> output)
    {
        bool fits;
        int written;
        try
        {
            fits = _nativeDecompressor is not null
                ? NativeZstd.TryDecompress(_nativeDecompressor, frame, output, out written)
                : _decompressor!.TryUnwrap(frame, output, out written);
        }
        catch (ZstdException ex)
        {
            throw new RepositoryFormatException("A zstd unit is corrupt.", ex);
        }

        if (!fits)
        {
            throw new RepositoryFormatException($"A zstd unit decompresses to more than its cap of {output.Length} bytes.");
        }

        return written;
    }

    private bool TryCompressZstd(ReadOnlySpan<byte> raw, Span<byte> destination, out int written) =>
        _nativeCompressor is not null
            ? NativeZstd.TryCompress(_nativeCompressor, raw, destination, _level, out written)
            : _compressor!.TryWrap(raw, destination, out written);

    public void Dispose()
    {
        _nativeCompressor?.Dispose();
        _nativeDecompressor?.Dispose();
        _compressor?.Dispose();
        _decompressor?.Dispose();
    }
}
