using System.Runtime.InteropServices;

namespace Ztdr.Backup.Compression;

/// <summary>
/// The system's libzstd (Debian's libzstd1, which dpkg itself depends on) through P/Invoke. Measured on the
/// benchmark corpus's text, it compresses at level 3 about 1.4 times as fast as ZstdSharp (the C# port, which the
/// native AOT build cannot vectorise as the C compiler does), and compression was 40% of a first backup's CPU
/// (docs/benchmarks.md). Where the library is missing, <see cref="BlobCompressor"/> uses ZstdSharp: both write and
/// read the same format (zstd frames with the content size), so either reads what the other wrote.
/// </summary>
internal static class NativeZstd
{
    private const string Library = "libzstd.so.1";

    /// <summary>ZSTD_error_dstSize_tooSmall: the output did not fit the space given.</summary>
    private const int DestinationTooSmall = 70;

    /// <summary>Whether libzstd could be loaded (looked up once).</summary>
    public static bool IsAvailable { get; } = OperatingSystem.IsLinux() && NativeLibrary.TryLoad(Library, typeof(NativeZstd).Assembly, DllImportSearchPath.SafeDirectories, out _);

    /// <summary>Compresses into <paramref name="destination"/>; false when the frame would not fit in it.</summary>
    public static bool TryCompress(CompressionContext context, ReadOnlySpan<byte> source, Span<byte> destination, int level, out int written)
    {
        var result = CompressCCtx(context, ref MemoryMarshal.GetReference(destination), (nuint)destination.Length, ref MemoryMarshal.GetReference(source), (nuint)source.Length, level);
        written = 0;
        if (IsError(result) != 0)
        {
            return ErrorCode(result) == DestinationTooSmall
                ? false
                : throw new InvalidOperationException($"libzstd failed to compress: {Marshal.PtrToStringAnsi(GetErrorName(result))}.");
        }

        written = checked((int)result);
        return true;
    }

    /// <summary>
    /// Decompresses every frame of <paramref name="source"/> into <paramref name="destination"/>; false when the output
    /// would not fit (never writes past it). Throws <see cref="RepositoryFormatException"/> on a corrupt frame.
    /// </summary>
    public static bool TryDecompress(DecompressionContext context, ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        var result = DecompressDCtx(context, ref MemoryMarshal.GetReference(destination), (nuint)destination.Length, ref MemoryMarshal.GetReference(source), (nuint)source.Length);
        written = 0;
        if (IsError(result) != 0)
        {
            return ErrorCode(result) == DestinationTooSmall
                ? false
                : throw new RepositoryFormatException($"A zstd unit is corrupt ({Marshal.PtrToStringAnsi(GetErrorName(result))}).");
        }

        written = checked((int)result);
        return true;
    }

    // ZSTD_getErrorCode is not exported by every build; the error code is the negated result, as zstd_errors.h defines.
    private static int ErrorCode(nuint result) => unchecked((int)((nuint)0 - result));

    [DllImport(Library, EntryPoint = "ZSTD_createCCtx")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern CompressionContext CreateCCtx();

    [DllImport(Library, EntryPoint = "ZSTD_freeCCtx")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nuint FreeCCtx(nint context);

    [DllImport(Library, EntryPoint = "ZSTD_compressCCtx")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nuint CompressCCtx(CompressionContext context, ref byte destination, nuint capacity, ref byte source, nuint length, int level);

    [DllImport(Library, EntryPoint = "ZSTD_createDCtx")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern DecompressionContext CreateDCtx();

    [DllImport(Library, EntryPoint = "ZSTD_freeDCtx")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nuint FreeDCtx(nint context);

    [DllImport(Library, EntryPoint = "ZSTD_decompressDCtx")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nuint DecompressDCtx(DecompressionContext context, ref byte destination, nuint capacity, ref byte source, nuint length);

    [DllImport(Library, EntryPoint = "ZSTD_isError")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern uint IsError(nuint result);

    [DllImport(Library, EntryPoint = "ZSTD_getErrorName")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint GetErrorName(nuint result);

    /// <summary>A ZSTD_CCtx: reused for every blob a worker compresses (creating one costs more than a small blob).</summary>
    internal sealed class CompressionContext() : SafeHandle(0, ownsHandle: true)
    {
        public override bool IsInvalid => handle == 0;

        public static CompressionContext Create()
        {
            var context = CreateCCtx();
            return context.IsInvalid ? throw new OutOfMemoryException("libzstd could not create a compression context.") : context;
        }

        protected override bool ReleaseHandle()
        {
            FreeCCtx(handle);
            return true;
        }
    }

    /// <summary>A ZSTD_DCtx, reused likewise.</summary>
    internal sealed class DecompressionContext() : SafeHandle(0, ownsHandle: true)
    {
        public override bool IsInvalid => handle == 0;

        public static DecompressionContext Create()
        {
            var context = CreateDCtx();
            return context.IsInvalid ? throw new OutOfMemoryException("libzstd could not create a decompression context.") : context;
        }

        protected override bool ReleaseHandle()
        {
            FreeDCtx(handle);
            return true;
        }
    }
}
