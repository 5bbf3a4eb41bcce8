using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace Ztdr.Backup.Crypto;

/// <summary>An object's id: 32 random bytes, the name of the object and the salt of its key (repository-format.md § 1, § 2). Written as 64 lowercase hex digits.</summary>
internal readonly struct ObjectId : IEquatable<ObjectId>
{
    public const int Length = 32;

    // Four words rather than an array: millions of these live in index dictionaries.
    private readonly ulong _w0;
    private readonly ulong _w1;
    private readonly ulong _w2;
    private readonly ulong _w3;

    public ObjectId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A ObjectId is {Length} bytes, not {bytes.Length}.", nameof(bytes));
        }

        _w0 = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _w1 = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _w2 = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _w3 = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    /// <summary>A fresh id from the CSPRNG; never reuse one for different bytes.</summary>
    public static ObjectId NewRandom()
    {
        Span<byte> bytes = stackalloc byte[Length];
        RandomNumberGenerator.Fill(bytes);
        return new ObjectId(bytes);
    }

    public static ObjectId Parse(string hex)
    {
        if (!TryParse(hex, out var id))
        {
            throw new RepositoryFormatException($"'{hex}' is not a ObjectId: expected {Length * 2} lowercase hex digits.");
        }

        return id;
    }

    public static bool TryParse(string? hex, out ObjectId id)
    {
        id = default;
        if (hex is null || hex.Length != Length * 2 || hex.Any(c => c is not (>= '0' and <= '9') and not (>= 'a' and <= 'f')))
        {
            return false;
        }

        id = new ObjectId(Convert.FromHexString(hex));
        return true;
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _w0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _w1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _w2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _w3);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        WriteTo(bytes);
        return bytes;
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{_w0:x16}{_w1:x16}{_w2:x16}{_w3:x16}");

    public bool Equals(ObjectId other) => _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    public override bool Equals(object? obj) => obj is ObjectId other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3);

    public static bool operator ==(ObjectId left, ObjectId right) => left.Equals(right);

    public static bool operator !=(ObjectId left, ObjectId right) => !left.Equals(right);
}
