using System.Text;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Snapshots;

/// <summary>
/// One entry of a directory (repository-format.md § 9.4). Times are Unix nanoseconds. Fields the platform could not
/// report are null and left out of the JSON rather than written as a made-up zero.
/// </summary>
internal sealed record TreeNode
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The entry's name when it is valid UTF-8; null when the name is only in <see cref="NameRaw"/>.</summary>
    public string? Name { get; init; }

    /// <summary>The name's bytes when they are not valid UTF-8 (JSON: base64); null otherwise. Exactly one of the two is set.</summary>
    public byte[]? NameRaw { get; init; }

    /// <summary>The name as the file system holds it: the bytes to sort, compare and create by.</summary>
    [JsonIgnore]
    public byte[] NameBytes => NameRaw ?? Encoding.UTF8.GetBytes(Name ?? "");

    /// <summary>The name for messages and listings: invalid UTF-8 bytes shown as U+FFFD.</summary>
    [JsonIgnore]
    public string DisplayName => Name ?? Encoding.UTF8.GetString(NameRaw ?? []);

    public required NodeType Type { get; init; }

    /// <summary>POSIX permission bits with setuid, setgid and sticky; no file-type bits.</summary>
    public uint Mode { get; init; }

    public uint? Uid { get; init; }

    public uint? Gid { get; init; }

    public long MtimeNs { get; init; }

    public long? CtimeNs { get; init; }

    public ulong? Inode { get; init; }

    public ulong? Device { get; init; }

    public uint? Links { get; init; }

    /// <summary>Bytes of a file; null for directories and symlinks.</summary>
    public long? Size { get; init; }

    /// <summary>A file's data blob ids in order (empty for an empty file); null for other types.</summary>
    public IReadOnlyList<BlobId>? Content { get; init; }

    /// <summary>A directory's tree blob.</summary>
    public BlobId? Subtree { get; init; }

    public string? LinkTarget { get; init; }

    public long? HardLinkId { get; init; }

    /// <summary>A node named by file-system bytes: <see cref="Name"/> when they are valid UTF-8, <see cref="NameRaw"/> otherwise.</summary>
    public static TreeNode Named(ReadOnlySpan<byte> name, NodeType type)
    {
        try
        {
            return new TreeNode { Name = StrictUtf8.GetString(name), Type = type };
        }
        catch (DecoderFallbackException)
        {
            return new TreeNode { NameRaw = name.ToArray(), Type = type };
        }
    }

    /// <summary>Whether <paramref name="bytes"/> decode as UTF-8 without replacement.</summary>
    public static bool IsValidUtf8(ReadOnlySpan<byte> bytes) => Utf8.IsValid(bytes);
}
