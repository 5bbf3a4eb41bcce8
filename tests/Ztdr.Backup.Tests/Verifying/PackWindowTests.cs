using Ztdr.Backup.Verifying;

namespace Ztdr.Backup.Tests.Verifying;

public sealed class PackWindowTests
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task FillAsync_StreamServesFewBytesPerRead_HoldsExactlyTheAskedBytes()
    {
        var pack = Pack(10_000);
        var window = new PackWindow(initialCapacity: 16);
        window.Begin(new TrickleStream(pack, 7), "p");

        Assert.True(await window.FillAsync(0, 100, Ct));
        Assert.Equal(pack[..100], window.Span(0, 100).ToArray());
        Assert.True(await window.FillAsync(5_000, 5_300, Ct));
        Assert.Equal(pack[5_000..5_300], window.Span(5_000, 300).ToArray());
        Assert.False(window.Holds(4_999, 1));
    }

    [Fact]
    public async Task FillAsync_BlobAfterBlob_CapacityStaysNearTheLargestBlob()
    {
        var pack = Pack(400_000);
        var window = new PackWindow(initialCapacity: 1024);
        window.Begin(new MemoryStream(pack), "p");

        for (var offset = 0; offset < pack.Length; offset += 4_000)
        {
            Assert.True(await window.FillAsync(offset, offset + 4_000, Ct));
            Assert.Equal(pack[offset..(offset + 4_000)], window.Span(offset, 4_000).ToArray());
        }

        // A blob plus at most one read past it, never the whole pack.
        Assert.True(window.Capacity <= 2 * (4_000 + PackWindow.MinRead), $"capacity {window.Capacity}");
    }

    [Fact]
    public async Task FillAsync_PastTheStreamsEnd_ReturnsFalseWithPositionAtTheLength()
    {
        var pack = Pack(1_000);
        var window = new PackWindow(initialCapacity: 64);
        window.Begin(new TrickleStream(pack, 100), "p");

        Assert.False(await window.FillAsync(900, 1_001, Ct));
        Assert.True(window.Ended);
        Assert.Equal(1_000, window.Position);
        Assert.Equal(pack[900..], window.Span(900, 100).ToArray());
    }

    [Fact]
    public async Task FillAsync_ToTheEnd_HoldsEverythingFromTheGivenOffset()
    {
        var pack = Pack(50_000);
        var window = new PackWindow(initialCapacity: 64);
        window.Begin(new TrickleStream(pack, 333), "p");

        Assert.True(await window.FillAsync(0, 10, Ct));
        Assert.False(await window.FillAsync(30_000, long.MaxValue, Ct));
        Assert.Equal(50_000, window.Position);
        Assert.Equal(pack[30_000..], window.Span(30_000, 20_000).ToArray());
    }

    [Fact]
    public async Task FillAsync_StreamLongerThanAnyPack_ThrowsFormatException()
    {
        var window = new PackWindow(maxLength: 1_000, initialCapacity: 64);
        window.Begin(new MemoryStream(Pack(1_001)), "data/xx/p");

        var ex = await Assert.ThrowsAsync<RepositoryFormatException>(async () => await window.FillAsync(0, long.MaxValue, Ct));
        Assert.Contains("data/xx/p is larger than any pack can be (1000 bytes)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FillAsync_OffsetAlreadyLetGo_Throws()
    {
        var window = new PackWindow(initialCapacity: 64);
        window.Begin(new MemoryStream(Pack(100_000)), "p");
        await window.FillAsync(80_000, 80_010, Ct);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await window.FillAsync(10, 20, Ct));
        Assert.Throws<ArgumentOutOfRangeException>(() => window.Span(10, 10).Length);
    }

    [Fact]
    public async Task Begin_NextPack_StartsAtOffsetZeroWithTheSameBuffer()
    {
        var window = new PackWindow(initialCapacity: 64);
        window.Begin(new MemoryStream(Pack(5_000)), "a");
        await window.FillAsync(0, long.MaxValue, Ct);
        var second = Pack(300);
        second[0] = 0xEE;

        window.Begin(new MemoryStream(second), "b");

        Assert.True(await window.FillAsync(0, 300, Ct));
        Assert.Equal(second, window.Span(0, 300).ToArray());
    }

    private static byte[] Pack(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Serves at most a few bytes per read, as a network stream may.</summary>
    private sealed class TrickleStream(byte[] data, int perRead) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, perRead));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, perRead)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, perRead)], cancellationToken);
    }
}
