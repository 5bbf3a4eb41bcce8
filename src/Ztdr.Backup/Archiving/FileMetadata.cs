using Ztdr.Backup.FileSystem;

namespace Ztdr.Backup.Archiving;

/// <summary>What lstat says about one path (not following a final symlink); times in Unix nanoseconds.</summary>
internal sealed record FileMetadata(
    FileKind Kind,
    uint Mode,
    uint Uid,
    uint Gid,
    long Size,
    long MtimeNs,
    long CtimeNs,
    ulong Inode,
    ulong Device,
    uint Links)
{
    /// <summary>Reads the metadata of <paramref name="path"/> (Linux statx, see <see cref="PosixReader.Stat"/>).</summary>
    public static FileMetadata Read(string path) => PosixReader.Stat(PosixReader.PathBytes(path));
}

/// <summary>The file types the archiver tells apart; devices, fifos and sockets are all <see cref="Special"/> and skipped.</summary>
internal enum FileKind
{
    File,
    Directory,
    Symlink,
    Special,
}
