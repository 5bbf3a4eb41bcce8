namespace Ztdr.Backup.Crypto;

/// <summary>A blob's id: HMAC-SHA256 of its plaintext under the chunk-id key (repository-format.md § 3). Written as 64 lowercase hex digits.</summary>
internal readonly struct BlobId : IEquatable<BlobId>
{
    public const int Length = Id256.Length;

    private readonly Id256 _value;

    public BlobId(ReadOnlySpan<byte> bytes)
    {
        _value = new Id256(bytes, nameof(BlobId));
    }

    private BlobId(Id256 value)
    {
        _value = value;
    }

    public static BlobId Parse(string hex) => new(Id256.Parse(hex, nameof(BlobId)));

    public static bool TryParse(string? hex, out BlobId id)
    {
        var parsed = Id256.TryParse(hex, nameof(BlobId), out var value);
        id = new BlobId(value);
        return parsed;
    }

    public void WriteTo(Span<byte> destination) => _value.WriteTo(destination);

    public byte[] ToArray() => _value.ToArray();

    public override string ToString() => _value.ToString();

    public bool Equals(BlobId other) => _value.Equals(other._value);

    public override bool Equals(object? obj) => obj is BlobId other && Equals(other);

    public override int GetHashCode() => _value.GetHashCode();

    public static bool operator ==(BlobId left, BlobId right) => left.Equals(right);

    public static bool operator !=(BlobId left, BlobId right) => !left.Equals(right);
}
