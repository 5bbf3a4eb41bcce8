using System.Security.Cryptography;
using System.Text;
using ZstdSharp;
using Ztdr.Backup.Compression;

namespace Ztdr.Backup.Tests.Compression;

/// <summary>
/// What every <see cref="BlobCompressor"/> must do, run against both implementations: the system's libzstd
/// (<see cref="NativeBlobCompressorTests"/>) and ZstdSharp (<see cref="ManagedBlobCompressorTests"/>).
/// </summary>
public abstract class BlobCompressorTests : IDisposable
{
    private readonly BlobCompressor _compressor;

    private protected BlobCompressorTests(bool native) => _compressor = new BlobCompressor(BlobCompressor.DefaultLevel, native);

    [Fact]
    public void Compress_TextLikeData_StoresZstdAndRoundTrips()
    {
        var raw = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog\n", 2000)));
        var unit = new byte[BlobCompressor.MaxCompressedLength(raw.Length)];

        var n = _compressor.Compress(raw, unit);

        Assert.Equal(BlobCompressor.ZstdFlag, unit[0]);
        Assert.True(n < raw.Length / 8);
        var back = new byte[raw.Length];
        Assert.Equal(raw.Length, _compressor.Decompress(unit.AsSpan(0, n), raw.Length, back));
        Assert.Equal(raw, back);
        Assert.Equal(raw, _compressor.DecompressBounded(unit.AsSpan(0, n)));
    }

    [Fact]
    public void Compress_RandomData_StoresAsIsWithFlagZero()
    {
        var raw = RandomNumberGenerator.GetBytes(100_000);
        var unit = new byte[BlobCompressor.MaxCompressedLength(raw.Length)];

        var n = _compressor.Compress(raw, unit);

        Assert.Equal(raw.Length + 1, n);
        Assert.Equal(BlobCompressor.StoredFlag, unit[0]);
        Assert.Equal(raw, unit.AsSpan(1, raw.Length).ToArray());
    }

    [Fact]
    public void Compress_SavesLessThanOneEighth_StoresAsIs()
    {
        // Half random, half zeros compresses to about half: stored compressed. 15/16 random saves too little: stored.
        var mostlyRandom = RandomNumberGenerator.GetBytes(64_000);
        Array.Clear(mostlyRandom, 0, 4_000);
        var halfRandom = RandomNumberGenerator.GetBytes(64_000);
        Array.Clear(halfRandom, 0, 32_000);
        var unit = new byte[BlobCompressor.MaxCompressedLength(64_000)];

        _compressor.Compress(mostlyRandom, unit);
        Assert.Equal(BlobCompressor.StoredFlag, unit[0]);
        _compressor.Compress(halfRandom, unit);
        Assert.Equal(BlobCompressor.ZstdFlag, unit[0]);
    }

    [Fact]
    public void Compress_Empty_IsStoredFlagOnly()
    {
        var unit = new byte[1];

        Assert.Equal(1, _compressor.Compress([], unit));
        Assert.Equal(0, _compressor.Decompress(unit, 0, []));
    }

    [Fact]
    public void Decompress_FrameOfTheReferenceZstdCli_ReadsIt()
    {
        // `printf 'ztdr ' x12 | zstd -3`: a frame from another implementation, without a content size.
        var frame = Convert.FromHexString("28b52ffd04585d0000287a746472200100c359b44b2fb145");
        byte[] unit = [BlobCompressor.ZstdFlag, .. frame];
        var expected = Encoding.ASCII.GetBytes(string.Join(' ', Enumerable.Repeat("ztdr", 12)));

        var output = new byte[expected.Length];
        Assert.Equal(expected.Length, _compressor.Decompress(unit, expected.Length, output));
        Assert.Equal(expected, output);
        Assert.Equal(expected, _compressor.DecompressBounded(unit));
    }

    [Fact]
    public void Decompress_BombLargerThanExpected_ThrowsWithoutExpanding()
    {
        using var zstd = new Compressor(19);
        byte[] unit = [BlobCompressor.ZstdFlag, .. zstd.Wrap(new byte[64 * 1024 * 1024]).ToArray()];
        Assert.True(unit.Length < 64 * 1024);

        Assert.Throws<RepositoryFormatException>(() => _compressor.Decompress(unit, 1024 * 1024, new byte[1024 * 1024]));
        Assert.Throws<RepositoryFormatException>(() => _compressor.DecompressBounded(unit, maxLength: 1024 * 1024));
    }

    [Fact]
    public void Decompress_ShorterThanExpected_Throws()
    {
        var raw = new byte[10_000];
        var unit = new byte[BlobCompressor.MaxCompressedLength(raw.Length)];
        var n = _compressor.Compress(raw, unit);

        Assert.Throws<RepositoryFormatException>(() => _compressor.Decompress(unit.AsSpan(0, n), 20_000, new byte[20_000]));
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x02, 1, 2, 3 })]
    [InlineData(new byte[] { 0x01, 0xde, 0xad, 0xbe, 0xef })]
    [InlineData(new byte[] { 0x00, 1, 2, 3 })] // stored, but not the 2 bytes expected
    public void Decompress_MalformedUnit_ThrowsFormatException(byte[] unit)
    {
        Assert.Throws<RepositoryFormatException>(() => _compressor.Decompress(unit, 2, new byte[2]));
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(70_000)]
    [InlineData(3_000_000)]
    public void Compress_TextLikeData_TheOtherImplementationReadsIt(int length)
    {
        var raw = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, length / 10 + 1).Select(i => $"line {i % 977} of text\n")))[..length];
        using var other = new BlobCompressor(BlobCompressor.DefaultLevel, native: !_compressor.IsNative);
        var unit = new byte[BlobCompressor.MaxCompressedLength(raw.Length)];
        var otherUnit = new byte[BlobCompressor.MaxCompressedLength(raw.Length)];

        var n = _compressor.Compress(raw, unit);
        var otherN = other.Compress(raw, otherUnit);

        Assert.Equal(BlobCompressor.ZstdFlag, unit[0]);
        var back = new byte[raw.Length];
        Assert.Equal(raw.Length, other.Decompress(unit.AsSpan(0, n), raw.Length, back));
        Assert.Equal(raw, back);
        Assert.Equal(raw.Length, _compressor.Decompress(otherUnit.AsSpan(0, otherN), raw.Length, back));
        Assert.Equal(raw, back);
    }

    public void Dispose()
    {
        _compressor.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class NativeBlobCompressorTests : BlobCompressorTests
{
    public NativeBlobCompressorTests()
        : base(native: true)
    {
    }

    [Fact]
    public void IsAvailable_OnTheTestMachine_LibzstdLoads()
    {
        // Debian's dpkg depends on libzstd1: a machine without it would silently measure the slower port.
        Assert.True(NativeZstd.IsAvailable);
        using var compressor = new BlobCompressor();
        Assert.True(compressor.IsNative);
    }
}

public sealed class ManagedBlobCompressorTests : BlobCompressorTests
{
    public ManagedBlobCompressorTests()
        : base(native: false)
    {
    }
}
