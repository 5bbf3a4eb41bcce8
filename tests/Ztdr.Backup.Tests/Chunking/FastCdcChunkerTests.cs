using System.Security.Cryptography;
using Ztdr.Backup.Chunking;

namespace Ztdr.Backup.Tests.Chunking;

public sealed class FastCdcChunkerTests
{
    private static readonly ChunkerParameters Small = new(2048, 8192, 65536);

    [Fact]
    public void FindCutPoint_InputShorterThanMin_IsOneChunk()
    {
        var chunker = new FastCdcChunker(Small);
        Assert.Equal(100, chunker.FindCutPoint(new byte[100]));
        Assert.Equal(2048, chunker.FindCutPoint(new byte[2048]));
    }

    [Fact]
    public void FindCutPoint_NoCutInContent_CutsAtMax()
    {
        // All-zero input never zeroes the hash's top bits (G[0] is not zero-topped), so only max cuts.
        var chunker = new FastCdcChunker(Small);
        Assert.Equal(Small.MaxSize, chunker.FindCutPoint(new byte[Small.MaxSize * 2]));
    }

    [Fact]
    public void FindCutPoint_RandomInput_SizesWithinBoundsAndNearAverage()
    {
        var chunker = new FastCdcChunker(Small);
        var data = DeterministicBytes.Generate(7, 16 * 1024 * 1024);
        var sizes = Cut(chunker, data);

        Assert.Equal(data.Length, sizes.Sum());
        Assert.All(sizes[..^1], s => Assert.InRange(s, Small.MinSize + 1, Small.MaxSize));
        var mean = sizes.Average();
        Assert.InRange(mean, Small.AverageSize * 0.8, Small.AverageSize * 1.6);
    }

    [Fact]
    public void FindCutPoint_InsertionNearStart_LaterBoundariesResynchronize()
    {
        var chunker = new FastCdcChunker(Small);
        var data = DeterministicBytes.Generate(11, 4 * 1024 * 1024);
        var edited = new byte[data.Length + 37];
        data.AsSpan(0, 5000).CopyTo(edited);
        RandomNumberGenerator.Fill(edited.AsSpan(5000, 37));
        data.AsSpan(5000).CopyTo(edited.AsSpan(5037));

        var original = Hashes(data, Cut(chunker, data));
        var changed = Hashes(edited, Cut(chunker, edited));

        // Content-defined: only the chunks around the edit are new; everything after it deduplicates.
        Assert.True(changed.Except(original).Count() <= 3, $"{changed.Except(original).Count()} new chunks");
    }

    [Fact]
    public async Task ReadChunkAsync_TrickleStream_SameChunksAsWholeBuffer()
    {
        var chunker = new FastCdcChunker(Small);
        var data = DeterministicBytes.Generate(3, 1024 * 1024 + 123);
        var expected = Cut(chunker, data);

        var actual = new List<int>();
        var rebuilt = new MemoryStream();
        using (var reader = new ChunkReader(new TrickleStream(data, 7), chunker))
        {
            await foreach (var chunk in reader.ReadAllAsync(CancellationToken.None))
            {
                actual.Add(chunk.Length);
                rebuilt.Write(chunk.Span);
            }
        }

        Assert.Equal(expected, actual);
        Assert.Equal(data, rebuilt.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2049)]
    [InlineData(65536 * 5 + 1)]
    public async Task ReadChunkAsync_SeekableStreamOfAnySize_ReassemblesInput(int length)
    {
        var chunker = new FastCdcChunker(Small);
        var data = DeterministicBytes.Generate(5, length);
        var rebuilt = new MemoryStream();
        var count = 0;
        using (var reader = new ChunkReader(new MemoryStream(data), chunker))
        {
            await foreach (var chunk in reader.ReadAllAsync(CancellationToken.None))
            {
                count++;
                rebuilt.Write(chunk.Span);
            }
        }

        Assert.Equal(data, rebuilt.ToArray());
        Assert.Equal(Cut(chunker, data).Count, count);
    }

    [Fact]
    public void Constructor_AverageNotPowerOfTwo_Throws()
    {
        Assert.Throws<ArgumentException>(() => new FastCdcChunker(new ChunkerParameters(1000, 3000, 9000)));
        Assert.Throws<ArgumentException>(() => new FastCdcChunker(new ChunkerParameters(8192, 8192, 65536)));
    }

    internal static List<int> Cut(FastCdcChunker chunker, ReadOnlySpan<byte> data)
    {
        var sizes = new List<int>();
        while (!data.IsEmpty)
        {
            var n = chunker.FindCutPoint(data);
            sizes.Add(n);
            data = data[n..];
        }

        return sizes;
    }

    private static HashSet<string> Hashes(byte[] data, List<int> sizes)
    {
        var set = new HashSet<string>();
        var offset = 0;
        foreach (var size in sizes)
        {
            set.Add(Convert.ToHexString(SHA256.HashData(data.AsSpan(offset, size))));
            offset += size;
        }

        return set;
    }
}
