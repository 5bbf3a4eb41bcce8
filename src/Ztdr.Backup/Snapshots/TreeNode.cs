using Ztdr.Backup.Crypto;

namespace Ztdr.Backup.Snapshots;

/// <summary>
/// One entry of a directory (repository-format.md § 9.4). Times are Unix nanoseconds. Fields the platform could not
/// report are null and left out of the JSON rather than written as a made-up zero.
/// </summary>
internal sealed record TreeNode
{
    public required string Name { get; init; }

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
}
