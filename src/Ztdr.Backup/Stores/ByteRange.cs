namespace Ztdr.Backup.Stores;

/// <summary>Bytes [<see cref="Offset"/>, <see cref="Offset"/> + <see cref="Length"/>) of an object.</summary>
public readonly record struct ByteRange
{
    public ByteRange(long offset, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        Offset = offset;
        Length = length;
    }

    public long Offset { get; }

    public long Length { get; }

    /// <summary>Inclusive last byte, as HTTP Range counts.</summary>
    public long Last => Offset + Length - 1;
}
