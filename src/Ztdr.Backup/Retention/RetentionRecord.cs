using System.Buffers.Binary;
using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Retention;

/// <summary>One lock extension: object <see cref="Id"/> was made COMPLIANCE-locked until at least <see cref="RetainUntil"/>.</summary>
internal readonly record struct RetentionExtension(ObjectId Id, DateTimeOffset RetainUntil);

/// <summary>
/// The plaintext of a <c>retention/&lt;id&gt;</c> object (repository-format.md § 11): u32 count | count × (id (32) |
/// u64 retainUntil, Unix s). Records let the next run know which objects are already locked far enough without asking
/// storage about each one; readers take the largest value per object. <c>verify</c> checks storage itself.
/// </summary>
internal static class RetentionRecord
{
    private const int ItemLength = ObjectId.Length + 8;

    public static byte[] Write(IReadOnlyList<RetentionExtension> extensions)
    {
        var bytes = new byte[4 + (extensions.Count * ItemLength)];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)extensions.Count);
        for (var i = 0; i < extensions.Count; i++)
        {
            var item = bytes.AsSpan(4 + (i * ItemLength), ItemLength);
            extensions[i].Id.WriteTo(item);
            BinaryPrimitives.WriteUInt64LittleEndian(item[ObjectId.Length..], (ulong)extensions[i].RetainUntil.ToUnixTimeSeconds());
        }

        return bytes;
    }

    public static List<RetentionExtension> Read(ReadOnlySpan<byte> body)
    {
        if (body.Length < 4)
        {
            throw new RepositoryFormatException("A retention record is truncated.");
        }

        var count = BinaryPrimitives.ReadUInt32LittleEndian(body);
        if ((ulong)body.Length != 4 + ((ulong)count * ItemLength))
        {
            throw new RepositoryFormatException($"A retention record claims {count} items in {body.Length} bytes.");
        }

        var extensions = new List<RetentionExtension>((int)count);
        for (var i = 0; i < (int)count; i++)
        {
            var item = body.Slice(4 + (i * ItemLength), ItemLength);
            var until = BinaryPrimitives.ReadUInt64LittleEndian(item[ObjectId.Length..]);
            if (until > (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            {
                throw new RepositoryFormatException($"A retention record has an impossible retain-until {until}.");
            }

            extensions.Add(new RetentionExtension(new ObjectId(item[..ObjectId.Length]), DateTimeOffset.FromUnixTimeSeconds((long)until)));
        }

        return extensions;
    }
}
