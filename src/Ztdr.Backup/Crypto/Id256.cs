using System.Buffers.Binary;
using System.Globalization;

namespace Ztdr.Backup.Crypto;

/// <summary>
/// The 32-byte value behind <see cref="BlobId"/> and <see cref="ObjectId"/>: four words rather than an array, since
/// millions of ids live in index dictionaries; written as 64 lowercase hex digits. The two id types wrap it so a blob
/// id can never be passed where an object id is meant.
/// </summary>
internal readonly struct Id256 : IEquatable<Id256>
{
    public const int Length = 32;

    private readonly ulong _w0;
    private readonly ulong _w1;
    private readonly ulong _w2;
    private readonly ulong _w3;

    public Id256(ReadOnlySpan<byte> bytes, string kind)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A {kind} is {Length} bytes, not {bytes.Length}.", nameof(bytes));
        }

        _w0 = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _w1 = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _w2 = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _w3 = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    public static bool TryParse(string? hex, string kind, out Id256 id)
    {
        id = default;
        if (hex is null || hex.Length != Length * 2 || hex.Any(c => c is not (>= '0' and <= '9') and not (>= 'a' and <= 'f')))
        {
            return false;
        }

        id = new Id256(Convert.FromHexString(hex), kind);
        return true;
    }

    public static Id256 Parse(string hex, string kind) =>
        TryParse(hex, kind, out var id)
            ? id
            : throw new RepositoryFormatException($"'{hex}' is not a {kind}: expected {Length * 2} lowercase hex digits.");

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

    public bool Equals(Id256 other) => _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    public override bool Equals(object? obj) => obj is Id256 other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3);
}
