namespace Ztdr.Backup.Crypto;

/// <summary>
/// The 40-byte clear header of every encrypted object (repository-format.md § 5.1):
/// magic "ZTDR" (4) | version (1) | type (1) | reserved 00 00 (2) | object id (32).
/// </summary>
internal readonly record struct ObjectHeader(ObjectType Type, ObjectId Id)
{
    public const int Length = 40;
    public const byte FormatVersion = 1;

    private static ReadOnlySpan<byte> Magic => "ZTDR"u8;

    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException($"An object header needs {Length} bytes.", nameof(destination));
        }

        Magic.CopyTo(destination);
        destination[4] = FormatVersion;
        destination[5] = (byte)Type;
        destination[6] = 0;
        destination[7] = 0;
        Id.WriteTo(destination.Slice(8, ObjectId.Length));
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Reads and checks a header; <paramref name="expectedType"/> guards against an object of another kind under this name.</summary>
    public static ObjectHeader Read(ReadOnlySpan<byte> source, ObjectType expectedType)
    {
        if (source.Length < Length)
        {
            throw new RepositoryFormatException($"The object is {source.Length} bytes, shorter than its {Length}-byte header.");
        }

        if (!source[..4].SequenceEqual(Magic))
        {
            throw new RepositoryFormatException("The object does not start with the ZTDR magic: not a ztdr repository object.");
        }

        if (source[4] != FormatVersion)
        {
            throw new RepositoryFormatException($"The object has format version {source[4]}; this ztdr reads version {FormatVersion}. Upgrade ztdr.");
        }

        if (source[5] != (byte)expectedType)
        {
            throw new RepositoryFormatException($"The object has type {source[5]}, expected {(byte)expectedType} ({expectedType}).");
        }

        if (source[6] != 0 || source[7] != 0)
        {
            throw new RepositoryFormatException("The object header's reserved bytes are not zero.");
        }

        return new ObjectHeader(expectedType, new ObjectId(source.Slice(8, ObjectId.Length)));
    }
}
