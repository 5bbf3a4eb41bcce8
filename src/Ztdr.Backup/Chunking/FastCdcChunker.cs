namespace Ztdr.Backup.Chunking;

/// <summary>
/// FastCDC content-defined chunking with normalized chunking level 2 (repository-format.md § 10): a gear rolling hash,
/// a harder mask (avg bits + 2) before the average size and an easier one (avg bits − 2) after it, so chunk sizes
/// cluster around the average. Masks take the hash's top bits because bit k depends only on the last k + 1 bytes.
/// Stateless and thread-safe; <see cref="ChunkReader"/> applies it to a stream.
/// </summary>
internal sealed class FastCdcChunker
{
    private readonly ulong _maskS;
    private readonly ulong _maskL;

    public FastCdcChunker(ChunkerParameters parameters)
    {
        parameters.Validate();
        Parameters = parameters;
        _maskS = ulong.MaxValue << (64 - (parameters.AverageBits + 2));
        _maskL = ulong.MaxValue << (64 - (parameters.AverageBits - 2));
    }

    public ChunkerParameters Parameters { get; }

    /// <summary>
    /// The length of the chunk that starts at <paramref name="data"/>[0]. <paramref name="data"/> must hold at least
    /// <see cref="ChunkerParameters.MaxSize"/> bytes unless it is the end of the input.
    /// </summary>
    public int FindCutPoint(ReadOnlySpan<byte> data)
    {
        var min = Parameters.MinSize;
        if (data.Length <= min)
        {
            return data.Length;
        }

        var end = Math.Min(data.Length, Parameters.MaxSize);
        var normal = Math.Min(end, Parameters.AverageSize);
        var gear = GearTable.Values;
        ulong hash = 0;
        var i = min;
        for (; i < normal; i++)
        {
            hash = (hash << 1) + gear[data[i]];
            if ((hash & _maskS) == 0)
            {
                return i + 1;
            }
        }

        for (; i < end; i++)
        {
            hash = (hash << 1) + gear[data[i]];
            if ((hash & _maskL) == 0)
            {
                return i + 1;
            }
        }

        return end;
    }
}
