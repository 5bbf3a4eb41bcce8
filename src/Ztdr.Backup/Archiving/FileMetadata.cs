using System.Buffers.Binary;
using System.ComponentModel;
using System.Runtime.InteropServices;

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
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxLength = 256;

    /// <summary>
    /// Reads the metadata of <paramref name="path"/> with Linux statx(2). statx rather than stat because its struct
    /// layout is fixed by the kernel ABI on every architecture, so one declaration is right everywhere; .NET's managed
    /// file APIs expose neither uid, gid, ctime, inode, device nor link count, which § 9.4 records.
    /// </summary>
    public static FileMetadata Read(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("ztdr backup reads file metadata with Linux statx; this platform is not supported yet.");
        }

        var buffer = new byte[StatxLength];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"Cannot read the metadata of '{path}': {new Win32Exception(errno).Message}.", errno);
        }

        // struct statx offsets (linux/stat.h): nlink 16, uid 20, gid 24, mode 28 (u16), ino 32, size 40,
        // ctime 96, mtime 112 (each s64 seconds, u32 nanoseconds), dev_major 136, dev_minor 140.
        var span = buffer.AsSpan();
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(span[28..]);
        var devMajor = BinaryPrimitives.ReadUInt32LittleEndian(span[136..]);
        var devMinor = BinaryPrimitives.ReadUInt32LittleEndian(span[140..]);
        return new FileMetadata(
            KindOf(mode),
            mode & 0xfffu,
            BinaryPrimitives.ReadUInt32LittleEndian(span[20..]),
            BinaryPrimitives.ReadUInt32LittleEndian(span[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(span[40..]),
            Nanoseconds(span[112..]),
            Nanoseconds(span[96..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[32..]),
            ((ulong)devMajor << 32) | devMinor,
            BinaryPrimitives.ReadUInt32LittleEndian(span[16..]));
    }

    private static long Nanoseconds(ReadOnlySpan<byte> timestamp) =>
        (BinaryPrimitives.ReadInt64LittleEndian(timestamp) * 1_000_000_000L) + BinaryPrimitives.ReadUInt32LittleEndian(timestamp[8..]);

    private static FileKind KindOf(ushort mode) => (mode & 0xf000) switch
    {
        0x8000 => FileKind.File,
        0x4000 => FileKind.Directory,
        0xa000 => FileKind.Symlink,
        _ => FileKind.Special,
    };

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
}

/// <summary>The file types the archiver tells apart; devices, fifos and sockets are all <see cref="Special"/> and skipped.</summary>
internal enum FileKind
{
    File,
    Directory,
    Symlink,
    Special,
}
