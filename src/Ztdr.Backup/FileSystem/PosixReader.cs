using System.Buffers.Binary;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Ztdr.Backup.Archiving;

namespace Ztdr.Backup.FileSystem;

/// <summary>
/// Reads the file system by raw byte paths (Linux). .NET's managed enumeration decodes names as UTF-8 with replacement,
/// so a name that is not UTF-8 would be backed up under a different name and could not be opened again; here names
/// stay bytes from getdents64(2) to statx(2) and open(2), and only messages decode them. Paths are byte arrays without
/// a terminating NUL. Thread-safe: every call is one or a few system calls on its own descriptor.
/// </summary>
internal static class PosixReader
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxLength = 256;
    private const int DirentBufferLength = 64 * 1024;

    /// <summary>The path's bytes as a managed caller names it (UTF-8).</summary>
    public static byte[] PathBytes(string path) => Encoding.UTF8.GetBytes(path);

    /// <summary>A path for messages: bytes that are not UTF-8 shown as U+FFFD.</summary>
    public static string Display(ReadOnlySpan<byte> path) => Encoding.UTF8.GetString(path);

    /// <summary><paramref name="directory"/>/<paramref name="name"/>.</summary>
    public static byte[] Join(ReadOnlySpan<byte> directory, ReadOnlySpan<byte> name)
    {
        var needsSlash = directory.Length == 0 || directory[^1] != (byte)'/';
        var joined = new byte[directory.Length + (needsSlash ? 1 : 0) + name.Length];
        directory.CopyTo(joined);
        if (needsSlash)
        {
            joined[directory.Length] = (byte)'/';
        }

        name.CopyTo(joined.AsSpan(joined.Length - name.Length));
        return joined;
    }

    /// <summary>
    /// The metadata of <paramref name="path"/> with statx(2), not following a final symlink unless
    /// <paramref name="followSymlink"/> (for a folder above a backed-up path, which is stored as the folder it leads to).
    /// statx because its struct layout is the kernel's on every architecture; .NET's managed APIs expose neither uid,
    /// gid, ctime, inode, device nor link count, which § 9.4 records.
    /// </summary>
    public static FileMetadata Stat(ReadOnlySpan<byte> path, bool followSymlink = false)
    {
        EnsureLinux();
        var statx = new byte[StatxLength];
        if (Statx(AtFdCwd, Terminated(path), followSymlink ? 0 : AtSymlinkNoFollow, StatxBasicStats, statx) != 0)
        {
            throw Failure("read the metadata of", path);
        }

        var buffer = statx.AsSpan();

        // struct statx offsets (linux/stat.h): nlink 16, uid 20, gid 24, mode 28 (u16), ino 32, size 40,
        // ctime 96, mtime 112 (each s64 seconds, u32 nanoseconds), dev_major 136, dev_minor 140.
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer[28..]);
        var devMajor = BinaryPrimitives.ReadUInt32LittleEndian(buffer[136..]);
        var devMinor = BinaryPrimitives.ReadUInt32LittleEndian(buffer[140..]);
        return new FileMetadata(
            KindOf(mode),
            mode & 0xfffu,
            BinaryPrimitives.ReadUInt32LittleEndian(buffer[20..]),
            BinaryPrimitives.ReadUInt32LittleEndian(buffer[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(buffer[40..]),
            Nanoseconds(buffer[112..]),
            Nanoseconds(buffer[96..]),
            BinaryPrimitives.ReadUInt64LittleEndian(buffer[32..]),
            ((ulong)devMajor << 32) | devMinor,
            BinaryPrimitives.ReadUInt32LittleEndian(buffer[16..]));
    }

    /// <summary>The names in a directory as raw bytes, without "." and "..", in the order the file system returns them.</summary>
    public static List<byte[]> ReadDirectory(ReadOnlySpan<byte> path)
    {
        EnsureLinux();
        using var handle = Open(path, OpenFlags.ReadOnly | OpenFlags.Directory | OpenFlags.CloseOnExec, "list");
        var names = new List<byte[]>();
        var buffer = new byte[DirentBufferLength];
        while (true)
        {
            var read = GetDents64(handle.DangerousGetHandle().ToInt32(), buffer, (nuint)buffer.Length);

            if (read < 0)
            {
                throw Failure("list", path);
            }

            if (read == 0)
            {
                return names;
            }

            // struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, NUL-terminated name (kernel ABI).
            for (var offset = 0; offset < read;)
            {
                var record = buffer.AsSpan(offset);
                var length = BinaryPrimitives.ReadUInt16LittleEndian(record[16..]);
                var name = record[19..length];
                name = name[..name.IndexOf((byte)0)];
                if (!(name.SequenceEqual("."u8) || name.SequenceEqual(".."u8)))
                {
                    names.Add(name.ToArray());
                }

                offset += length;
            }
        }
    }

    /// <summary>
    /// Opens a regular file for reading without following a final symlink (a file swapped for a link after the walk saw
    /// it is refused, not followed).
    /// </summary>
    public static FileStream OpenRead(ReadOnlySpan<byte> path)
    {
        EnsureLinux();
        var handle = Open(path, OpenFlags.ReadOnly | OpenFlags.NoFollow | OpenFlags.CloseOnExec, "open");
        return new FileStream(handle, FileAccess.Read, bufferSize: 0);
    }

    /// <summary>A symlink's target; bytes that are not UTF-8 are shown as U+FFFD (targets are stored as text, § 9.4).</summary>
    public static string ReadLink(ReadOnlySpan<byte> path)
    {
        EnsureLinux();
        var terminated = Terminated(path);
        var buffer = new byte[4096];
        while (true)
        {
            var length = ReadLinkNative(terminated, buffer, (nuint)buffer.Length);

            if (length < 0)
            {
                throw Failure("read the symlink", path);
            }

            if (length < buffer.Length)
            {
                return Encoding.UTF8.GetString(buffer, 0, (int)length);
            }

            buffer = new byte[buffer.Length * 2];
        }
    }

    private static SafeFileHandle Open(ReadOnlySpan<byte> path, int flags, string verb)
    {
        var fd = OpenNative(Terminated(path), flags, 0);
        if (fd < 0)
        {
            throw Failure(verb, path);
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    private static byte[] Terminated(ReadOnlySpan<byte> path)
    {
        if (path.IndexOf((byte)0) >= 0)
        {
            throw new IOException($"The path '{Display(path)}' contains a NUL byte.");
        }

        var terminated = new byte[path.Length + 1];
        path.CopyTo(terminated);
        return terminated;
    }

    private static IOException Failure(string verb, ReadOnlySpan<byte> path)
    {
        var errno = Marshal.GetLastPInvokeError();
        var reason = new Win32Exception(errno).Message;
        return new IOException($"Cannot {verb} '{Display(path)}': {reason}.", errno);
    }

    private static void EnsureLinux()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("ztdr backup reads the file system with Linux system calls; this platform is not supported yet.");
        }
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
    private static extern int Statx(int dirfd, byte[] path, int flags, uint mask, byte[] buffer);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int OpenNative(byte[] path, int flags, uint mode);

    [DllImport("libc", EntryPoint = "getdents64", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint GetDents64(int fd, byte[] buffer, nuint count);

    [DllImport("libc", EntryPoint = "readlink", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint ReadLinkNative(byte[] path, byte[] buffer, nuint size);
}
