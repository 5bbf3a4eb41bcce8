using System.Security.Cryptography;

namespace Ztdr.Backup.Crypto;

/// <summary>An object's id: 32 random bytes, the name of the object and the salt of its key (repository-format.md § 1, § 2). Written as 64 lowercase hex digits.</summary>
public readonly struct ObjectId : IEquatable<ObjectId>
{
    public const int Length = Id256.Length;

    private readonly Id256 _value;

    public ObjectId(ReadOnlySpan<byte> bytes)
    {
        _value = new Id256(bytes, nameof(ObjectId));
    }

    private ObjectId(Id256 value)
    {
        _value = value;
    }

    /// <summary>A fresh id from the CSPRNG; never reuse one for different bytes.</summary>
    public static ObjectId NewRandom()
    {
        Span<byte> bytes = stackalloc byte[Length];
        RandomNumberGenerator.Fill(bytes);
        return new ObjectId(bytes);
    }

    public static ObjectId Parse(string hex) => new(Id256.Parse(hex, nameof(ObjectId)));

    public static bool TryParse(string? hex, out ObjectId id)
    {
        var parsed = Id256.TryParse(hex, nameof(ObjectId), out var value);
        id = new ObjectId(value);
        return parsed;
    }

    public void WriteTo(Span<byte> destination) => _value.WriteTo(destination);

    public byte[] ToArray() => _value.ToArray();

    public override string ToString() => _value.ToString();

    public bool Equals(ObjectId other) => _value.Equals(other._value);

    public override bool Equals(object? obj) => obj is ObjectId other && Equals(other);

    public override int GetHashCode() => _value.GetHashCode();

    public static bool operator ==(ObjectId left, ObjectId right) => left.Equals(right);

    public static bool operator !=(ObjectId left, ObjectId right) => !left.Equals(right);
}
